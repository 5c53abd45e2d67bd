"""Drives a Python client generated from Ordo's /openapi.json through an order's life:
create a location and an item, stock it, place an order, read it back with its events and
routing, take it through fulfilment, ship it and download its label. Every answer is parsed
into the generated models, so a response that breaks the schema fails here.

    python drive.py BASE_URL ADMIN_KEY   (with the generated package `ordo_client` importable)
"""

import sys

from ordo_client import AuthenticatedClient
from ordo_client.api.fulfillment import (
    accept_fulfillment_order,
    pack_fulfillment_order,
    pick_fulfillment_order,
    release_fulfillment_orders,
)
from ordo_client.api.fulfillment import ship_fulfillment_order
from ordo_client.api.inventory import adjust_stock
from ordo_client.api.items import create_item
from ordo_client.api.locations import create_location
from ordo_client.api.orders import get_order, get_order_routing, list_order_events, place_order
from ordo_client.api.shipping import get_label
from ordo_client.models import (
    AddressBody,
    AdjustmentBody,
    AdjustmentsBody,
    ContentBody,
    CustomerBody,
    DeliveryBody,
    DeliveryBodyMethod,
    ItemBody,
    LineBody,
    LocationBody,
    LocationBodyKind,
    OrderBody,
    OrderView,
    PackageBody,
    PackBody,
    PickBody,
    ReleaseBody,
    ShipToBody,
    ShipWorkBody,
)
from ordo_client.models.get_label_format import GetLabelFormat


def expect(response, status):
    """The typed answer, after checking its status."""
    if response.status_code != status:
        raise SystemExit(f"expected {status}, got {response.status_code}: {response.content!r}")
    return response.parsed


def main(base_url, key):
    client = AuthenticatedClient(base_url=base_url, token=key, raise_on_unexpected_status=True)
    location = LocationBody(
        code="PY-WH",
        name="Python Warehouse",
        kind=LocationBodyKind.WAREHOUSE,
        time_zone="Europe/Berlin",
        address=AddressBody(country="DE", city="Hamburg", postal_code="20095", line1="Kai 1", lat=53.55, lon=9.99),
    )
    expect(create_location.sync_detailed(client=client, body=location), 201)
    item = ItemBody(sku="PY-TEE", name="Generated-client tee", weight_g=200)
    expect(create_item.sync_detailed(client=client, body=item), 201)
    stock = AdjustmentsBody(reason="opening stock", adjustments=[AdjustmentBody(location="PY-WH", sku="PY-TEE", delta=5)])
    expect(adjust_stock.sync_detailed(client=client, body=stock), 200)

    order = OrderBody(
        channel=sys.argv[3] if len(sys.argv) > 3 else "web",
        external_id="PY-1",
        customer=CustomerBody(email="zoe@example.com", name="Zoë Şahin"),
        ship_to=ShipToBody(name="Zoë Şahin", line1="Jungfernstieg 1", city="Hamburg", postal_code="20095", country="DE"),
        currency="EUR",
        lines=[LineBody(sku="PY-TEE", quantity=2, unit_price="19.90")],
        delivery=DeliveryBody(method=DeliveryBodyMethod.SHIP),
    )
    placed: OrderView = expect(place_order.sync_detailed(client=client, body=order), 201)
    read: OrderView = expect(get_order.sync_detailed(client=client, id=placed.id), 200)
    assert read.lines[0].quantities.ordered == 2, read
    events = expect(list_order_events.sync_detailed(client=client, id=placed.id), 200)
    assert events.items[0].type_ == "order.received", events
    routing = expect(get_order_routing.sync_detailed(client=client, id=placed.id), 200)
    assert routing.decisions, routing

    expect(release_fulfillment_orders.sync_detailed(client=client, body=ReleaseBody(order_id=placed.id)), 200)
    read = expect(get_order.sync_detailed(client=client, id=placed.id), 200)
    work = read.fulfillment_orders[0].id
    expect(accept_fulfillment_order.sync_detailed(client=client, id=work), 200)
    expect(pick_fulfillment_order.sync_detailed(client=client, id=work, body=PickBody()), 200)
    package = PackageBody(weight_g=500, length_mm=300, width_mm=200, height_mm=100, contents=[ContentBody(line=1, quantity=2)])
    expect(pack_fulfillment_order.sync_detailed(client=client, id=work, body=PackBody(packages=[package])), 200)
    ship = ShipWorkBody(carrier="gig", service="bike", tracking_numbers=["GIG0001"])
    shipped = expect(ship_fulfillment_order.sync_detailed(client=client, id=work, body=ship), 200)
    assert shipped.order.status.value == "shipped", shipped.order.status

    label = get_label.sync_detailed(client=client, id=shipped.shipments[0].id, format_=GetLabelFormat.PDF)
    assert label.status_code == 200 and label.content.startswith(b"%PDF"), label.status_code
    print(f"generated client: order {placed.number} placed, shipped as {shipped.shipments[0].tracking_number}, label {len(label.content)} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
