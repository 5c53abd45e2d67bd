//! Documents: labels, packing slips, pick lists and manifests, parsed back.

use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::*;

on_both_backends! {
    async fn documents_open_in_a_pdf_parser_and_the_label_barcode_reads_back_the_tracking_number(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        setup(&app).await;
        let order = released(&app, &place(&app, "E-5", &[("A", 2)]).await).await;
        let fo = work_at(&order, "NORTH");
        let pick_csv = document(&app, "/v1/locations/NORTH/pick-list?format=csv", "text/csv").await;
        let pick_csv = String::from_utf8(pick_csv).unwrap();
        assert!(pick_csv.starts_with("sku,quantity,fulfillment_order"), "{pick_csv}");
        assert!(pick_csv.contains(&format!("A,2,{fo}")), "{pick_csv}");
        let pick_pdf = document(&app, "/v1/locations/NORTH/pick-list", "application/pdf").await;
        assert!(pdf_text(&pick_pdf).contains("Pick list"));
        step(&app, &fo, "accept", None).await;
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 2)]))).await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let shipment = shipped["shipments"][0]["id"].as_str().unwrap();
        let tracking = shipped["shipments"][0]["tracking_number"].as_str().unwrap();

        let label = document(&app, &format!("/v1/shipments/{shipment}/label"), "application/pdf").await;
        let parsed = lopdf::Document::load_mem(&label).expect("the label is a PDF");
        let pages = parsed.get_pages();
        assert_eq!(pages.len(), 1);
        let page = *pages.values().next().unwrap();
        let media = parsed.get_object(page).unwrap().as_dict().unwrap().get(b"MediaBox").unwrap().as_array().unwrap()
            .iter().map(|v| v.as_float().unwrap()).collect::<Vec<_>>();
        assert_eq!(media, vec![0.0, 0.0, 288.0, 432.0], "4 × 6 inches");
        let text = parsed.extract_text(&[1]).unwrap();
        assert!(text.contains(tracking) && text.contains("PARCELNET"), "{text}");
        let content = parsed.get_and_decode_page_content(page).unwrap();
        let mut bars: Vec<(f32, f32)> = filled_rects(&content.operations).into_iter()
            .filter(|r| (r[3] - 90.0).abs() < 0.01)
            .map(|r| (r[0], r[2]))
            .collect();
        bars.sort_by(|a, b| a.0.total_cmp(&b.0));
        let module = bars.iter().map(|b| b.1).fold(f32::MAX, f32::min);
        let mut widths = Vec::new();
        for (i, (x, w)) in bars.iter().enumerate() {
            widths.push((w / module).round() as u8);
            if let Some((next, _)) = bars.get(i + 1) {
                widths.push(((next - x - w) / module).round() as u8);
            }
        }
        assert_eq!(ordo_app::documents::code128::decode(&widths).unwrap(), tracking, "the barcode reads back");

        let zpl = String::from_utf8(document(&app, &format!("/v1/shipments/{shipment}/label?format=zpl"), "application/zpl").await).unwrap();
        assert!(zpl.starts_with("^XA") && zpl.contains(&format!("^BCN,200,Y,N,N^FD{tracking}^FS")), "{zpl}");
        let bad = app.get(ADMIN_KEY, &format!("/v1/shipments/{shipment}/label?format=png")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        let slip = document(&app, &format!("/v1/fulfillment-orders/{fo}/packing-slip"), "application/pdf").await;
        let number = order["number"].as_str().unwrap();
        assert!(pdf_text(&slip).contains(&format!("Order {number}")));
        let manifest = document(&app, "/v1/carriers/parcelnet/manifest?date=2026-01-01", "application/pdf").await;
        assert!(pdf_text(&manifest).contains(tracking));
        let manifest_csv = String::from_utf8(document(&app, "/v1/carriers/parcelnet/manifest?date=2026-01-01&format=csv", "text/csv").await).unwrap();
        assert_eq!(manifest_csv.lines().count(), 2, "{manifest_csv}");
        let other_day = String::from_utf8(document(&app, "/v1/carriers/parcelnet/manifest?date=2026-01-02&format=csv", "text/csv").await).unwrap();
        assert_eq!(other_day.lines().count(), 1, "only the header: {other_day}");

        let cli = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
            .args(["document", "--database-url", &app.db.url]).args(args).output().unwrap();
        let zpl_cli = cli(&["label", shipment, "--format", "zpl"]);
        assert!(zpl_cli.status.success(), "{}", String::from_utf8_lossy(&zpl_cli.stderr));
        assert_eq!(String::from_utf8(zpl_cli.stdout).unwrap(), zpl, "the CLI prints what the API serves");
        let missing = cli(&["packing-slip", "ful_missing"]);
        assert!(!missing.status.success());
        assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"), "{}", String::from_utf8_lossy(&missing.stderr));
    }
}

/// Every filled rectangle drawn, as (x, y, width, height): `re` operators, or four-cornered
/// paths (`m l l l h`) as PDF writers also draw them.
fn filled_rects(ops: &[lopdf::content::Operation]) -> Vec<[f32; 4]> {
    let num = |op: &lopdf::content::Operation| {
        op.operands
            .iter()
            .map(|o| o.as_float().unwrap_or(0.0))
            .collect::<Vec<_>>()
    };
    let mut rects = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if op.operator == "re" {
            let r = num(op);
            rects.push([r[0], r[1], r[2], r[3].abs()]);
        }
        let shape: Vec<&str> = ops[i..]
            .iter()
            .take(5)
            .map(|o| o.operator.as_str())
            .collect();
        if shape == ["m", "l", "l", "l", "h"] {
            let corners: Vec<Vec<f32>> = ops[i..i + 4].iter().map(num).collect();
            let xs = corners.iter().map(|c| c[0]);
            let ys = corners.iter().map(|c| c[1]);
            let (x0, x1) = (
                xs.clone().fold(f32::MAX, f32::min),
                xs.fold(f32::MIN, f32::max),
            );
            let (y0, y1) = (
                ys.clone().fold(f32::MAX, f32::min),
                ys.fold(f32::MIN, f32::max),
            );
            rects.push([x0, y0, x1 - x0, y1 - y0]);
        }
    }
    rects
}

on_both_backends! {
    async fn names_in_any_european_script_print_as_given_on_every_document(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[]))).await else { return };
        setup(&app).await;
        let item = json!({ "sku": "TEE-RU", "name": "Футболка чёрная, Größe M", "weight_g": 200 });
        assert_eq!(app.post(ADMIN_KEY, "/v1/items", &item).await.status, StatusCode::CREATED);
        let stock = json!({ "reason": "opening", "adjustments": [{ "location": "NORTH", "sku": "TEE-RU", "delta": 5 }] });
        assert_eq!(app.post(ADMIN_KEY, "/v1/inventory/adjustments", &stock).await.status, StatusCode::OK);
        let street = json!({ "address": { "line1": "Hafenstraße 12" } });
        let patched = app.request(reqwest::Method::PATCH, Some(ADMIN_KEY), "/v1/locations/NORTH", Some(&street), &[]).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        let mut body = ordo_testkit::fixtures::order_body("web", "U-1", &[("TEE-RU", 1)]);
        body["customer"] = json!({ "email": "zoe@example.com", "name": "Zoë Şahin-Łukasiewicz", "phone": "+49 40 1234567" });
        body["ship_to"]["name"] = json!("Ελένη Παπαδοπούλου");
        let order = place_body(&app, &body).await;
        let order = released(&app, &order).await;
        let fo = work_at(&order, "NORTH");
        let pick = pdf_text(&document(&app, "/v1/locations/NORTH/pick-list", "application/pdf").await);
        assert!(pick.contains("Футболка чёрная, Größe M"), "{pick}");
        let pick_csv = String::from_utf8(document(&app, "/v1/locations/NORTH/pick-list?format=csv", "text/csv").await).unwrap();
        assert!(pick_csv.lines().next().unwrap().ends_with(",name") && pick_csv.contains("Футболка"), "{pick_csv}");
        step(&app, &fo, "accept", None).await;
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 1)]))).await;
        let slip = pdf_text(&document(&app, &format!("/v1/fulfillment-orders/{fo}/packing-slip"), "application/pdf").await);
        assert!(slip.contains("Ελένη Παπαδοπούλου") && slip.contains("Футболка чёрная"), "{slip}");
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let shipment = shipped["shipments"][0]["id"].as_str().unwrap();
        let label = pdf_text(&document(&app, &format!("/v1/shipments/{shipment}/label"), "application/pdf").await);
        for wanted in ["Ελένη Παπαδοπούλου", "Hafenstraße 12", "Tel. +49 40 1234567"] {
            assert!(label.contains(wanted), "{wanted} in {label}");
        }
        assert!(!label.contains('?'), "nothing printed as ?: {label}");
        let manifest = pdf_text(&document(&app, "/v1/carriers/parcelnet/manifest?date=2026-01-01", "application/pdf").await);
        assert!(manifest.contains("Ελένη Παπαδοπούλου"), "{manifest}");
    }
}

async fn place_body(app: &TestApp, body: &serde_json::Value) -> serde_json::Value {
    let placed = app.place(ADMIN_KEY, body, None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    placed.body
}
