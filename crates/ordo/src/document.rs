//! `ordo document`: print a label, packing slip, pick list or manifest straight from the
//! store, to a file or standard output — the same documents the API serves.

use std::io::Write;

use clap::{Args, Subcommand};
use ordo_app::printing::Format;
use ordo_domain::values::LocationCode;

use crate::Failure;
use crate::database::{DatabaseArgs, cli_admin};

#[derive(Args, Debug)]
pub struct DocumentArgs {
    #[command(subcommand)]
    kind: DocumentKind,
    /// Write here instead of standard output.
    #[arg(long, global = true)]
    out: Option<std::path::PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Subcommand, Debug)]
enum DocumentKind {
    /// A shipment's 4×6 in label.
    Label {
        shipment: String,
        /// pdf or zpl.
        #[arg(long, default_value = "pdf")]
        format: String,
    },
    /// A fulfilment order's packing slip (PDF).
    PackingSlip { fulfillment_order: String },
    /// A location's pick list: all unpicked work, or one wave's.
    PickList {
        location: String,
        /// A release wave, local HH:MM.
        #[arg(long)]
        wave: Option<String>,
        /// pdf or csv.
        #[arg(long, default_value = "pdf")]
        format: String,
    },
    /// A carrier's end-of-day manifest.
    Manifest {
        carrier: String,
        /// YYYY-MM-DD (UTC).
        #[arg(long)]
        date: String,
        /// Only the parcels this location handed over.
        #[arg(long)]
        location: Option<String>,
        /// pdf or csv.
        #[arg(long, default_value = "pdf")]
        format: String,
    },
}

fn format(raw: &str, allowed: &[Format]) -> Result<Format, String> {
    Format::parse(raw, allowed).map_err(|m| format!("--format {m}"))
}

pub async fn run(args: DocumentArgs) -> Result<(), Failure> {
    let app = args.database.open_app().await?;
    let admin = cli_admin();
    let made = match &args.kind {
        DocumentKind::Label {
            shipment,
            format: f,
        } => {
            let f = format(f, &[Format::Pdf, Format::Zpl])?;
            app.label(&admin, shipment, f).await
        }
        DocumentKind::PackingSlip { fulfillment_order } => {
            app.packing_slip(&admin, fulfillment_order).await
        }
        DocumentKind::PickList {
            location,
            wave,
            format: f,
        } => {
            let f = format(f, &[Format::Pdf, Format::Csv])?;
            let code = LocationCode::parse(location).map_err(|m| format!("location: {m}"))?;
            app.pick_list(&admin, &code, wave.as_deref(), f).await
        }
        DocumentKind::Manifest {
            carrier,
            date,
            location,
            format: f,
        } => {
            let f = format(f, &[Format::Pdf, Format::Csv])?;
            let date = ordo_domain::promise::parse_date(date).map_err(|m| format!("--date {m}"))?;
            let location = match location {
                Some(raw) => Some(LocationCode::parse(raw).map_err(|m| format!("--location {m}"))?),
                None => None,
            };
            app.manifest_document(&admin, carrier, date, location.as_ref(), f)
                .await
        }
    };
    app.shutdown().await;
    let doc = made.map_err(|e| e.to_string())?;
    match &args.out {
        Some(path) => std::fs::write(path, &doc.bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => std::io::stdout()
            .write_all(&doc.bytes)
            .map_err(|e| format!("cannot write the document: {e}"))?,
    }
    Ok(())
}
