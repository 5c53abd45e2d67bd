//! The supply steps of the model: inbound expected and received, transfers requested,
//! shipped or cancelled, and received.

use jiff::civil::date;

use super::*;

impl World {
    pub(super) fn step_supply(&mut self, op: &Op) -> Result<(), String> {
        let loc = |i: usize| LocationCode::parse(LOCATIONS[i]).unwrap();
        let sku = |i: usize| Sku::parse(SKUS[i]).unwrap();
        let state = |i: usize| StockState::ALL[i];
        match *op {
            Op::Expect { at, quantity } => {
                let id = self.id("in");
                self.inbound.push(Inbound {
                    id,
                    kind: InboundKind::PurchaseOrder,
                    location: loc(at.0),
                    supplier_reference: "PO".into(),
                    expected_date: date(2027, 3, 1),
                    status: InboundStatus::Open,
                    lines: vec![InboundLine {
                        line_no: 1,
                        sku: sku(at.1),
                        quantity,
                        received: 0,
                    }],
                    created_at_ms: self.now_ms,
                    updated_at_ms: self.now_ms,
                });
            }
            Op::Receive {
                pick,
                quantity,
                state: st,
            } => {
                let open: Vec<usize> = (0..self.inbound.len())
                    .filter(|i| self.inbound[*i].status.is_open())
                    .collect();
                let Some(&i) = open.get(pick % open.len().max(1)) else {
                    return Ok(());
                };
                let sku = self.inbound[i].lines[0].sku.clone();
                let ledger = self.inbound[i]
                    .receive(
                        &[(sku.clone(), quantity, state(st))],
                        &mut self.book,
                        self.now_ms,
                        ACTOR,
                    )
                    .map_err(|e| e.to_string())?;
                *self.net_in.entry(sku).or_default() += quantity;
                self.ledger.extend(ledger);
            }
            Op::Request {
                from,
                to,
                sku: s,
                quantity,
            } => {
                if from == to {
                    return Err("a transfer needs two locations".into());
                }
                let id = self.id("t");
                let transfer = Transfer {
                    id,
                    from: loc(from),
                    to: loc(to),
                    status: TransferStatus::Requested,
                    reason: None,
                    lines: vec![TransferLine {
                        line_no: 1,
                        sku: sku(s),
                        quantity,
                        shipped: 0,
                        received: 0,
                    }],
                    created_at_ms: self.now_ms,
                    shipped_at_ms: None,
                    updated_at_ms: self.now_ms,
                };
                let mut next = self.next_id;
                let mut new_id = || {
                    next += 1;
                    format!("r{next}")
                };
                let (transfer, reservations, ledger) =
                    Transfer::request(transfer, &mut self.book, ACTOR, &mut new_id)
                        .map_err(|e| e.to_string())?;
                self.next_id = next;
                self.transfers.push(transfer);
                self.reservations.extend(reservations);
                self.ledger.extend(ledger);
            }
            Op::Ship { pick } | Op::CancelTransfer { pick } => {
                let requested: Vec<usize> = (0..self.transfers.len())
                    .filter(|i| self.transfers[*i].status == TransferStatus::Requested)
                    .collect();
                let Some(&i) = requested.get(pick % requested.len().max(1)) else {
                    return Ok(());
                };
                let id = self.transfers[i].id.clone();
                let mut mine = self.owned_mut(ReservationOwner::Transfer, &id);
                let (book, now) = (&mut self.book, self.now_ms);
                let done = match op {
                    Op::Ship { .. } => self.transfers[i].ship(&mut mine, book, now, ACTOR),
                    _ => self.transfers[i].cancel(&mut mine, book, now, ACTOR),
                };
                self.reservations.extend(mine);
                self.ledger.extend(done.map_err(|e| format!("BUG: {e}"))?);
            }
            Op::ReceiveTransfer {
                pick,
                quantity,
                state: st,
            } => {
                let moving: Vec<usize> = (0..self.transfers.len())
                    .filter(|i| {
                        matches!(
                            self.transfers[*i].status,
                            TransferStatus::InTransit | TransferStatus::PartiallyReceived
                        )
                    })
                    .collect();
                let Some(&i) = moving.get(pick % moving.len().max(1)) else {
                    return Ok(());
                };
                let ledger = self.transfers[i]
                    .receive(
                        &[(1, quantity, state(st))],
                        &mut self.book,
                        self.now_ms,
                        ACTOR,
                    )
                    .map_err(|e| e.to_string())?;
                self.ledger.extend(ledger);
            }
            ref other => return Err(format!("not a supply step: {other:?}")),
        }
        Ok(())
    }
}
