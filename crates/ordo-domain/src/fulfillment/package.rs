//! Packages: what a location packed, checked so that every picked unit is in exactly one.

use std::collections::BTreeMap;

use super::FulfillmentOrder;
use crate::field::FieldErrors;
use crate::values::Sku;

/// Most packages one fulfilment order may be packed into.
pub const PACKAGES_MAX: usize = 100;
/// Heaviest package a location may declare, in grams (parcel networks stop at 31.5 kg;
/// freight goes beyond).
pub const PACKAGE_WEIGHT_G_MAX: i64 = 1_000_000;
/// Longest side a package may declare, in millimetres.
pub const DIMENSION_MM_MAX: i64 = 10_000;

/// A package as the location describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInput {
    pub weight_g: i64,
    /// Length, width, height.
    pub dimensions_mm: [i64; 3],
    /// Units per order line.
    pub contents: Vec<(u32, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageContent {
    pub line_no: u32,
    pub sku: Sku,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub id: String,
    pub fulfillment_order_id: String,
    /// 1, 2, ... within the fulfilment order.
    pub seq: u32,
    pub weight_g: i64,
    pub dimensions_mm: [i64; 3],
    pub contents: Vec<PackageContent>,
}

/// Checks packages against the pick, naming every bad field, and answers them with ids.
pub fn check_packages(
    fo: &FulfillmentOrder,
    packages: &[PackageInput],
    new_id: &mut dyn FnMut() -> String,
) -> Result<Vec<Package>, FieldErrors> {
    let mut errors = FieldErrors::new();
    if packages.is_empty() || packages.len() > PACKAGES_MAX {
        errors.push(
            "packages",
            format!("must hold 1 to {PACKAGES_MAX} packages"),
        );
    }
    let mut packed: BTreeMap<u32, i64> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, p) in packages.iter().enumerate() {
        check_size(i, p, &mut errors);
        let contents = checked_contents(fo, i, p, &mut packed, &mut errors);
        out.push(Package {
            id: new_id(),
            fulfillment_order_id: fo.id.clone(),
            seq: i as u32 + 1,
            weight_g: p.weight_g,
            dimensions_mm: p.dimensions_mm,
            contents,
        });
    }
    for line in &fo.lines {
        let in_packages = packed.get(&line.line_no).copied().unwrap_or(0);
        if in_packages != line.picked {
            errors.push(
                "packages",
                format!(
                    "line {} has {} units picked but {in_packages} packed",
                    line.line_no, line.picked
                ),
            );
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The `i`th package's weight and each of its dimensions, within their limits.
fn check_size(i: usize, p: &PackageInput, errors: &mut FieldErrors) {
    if !(1..=PACKAGE_WEIGHT_G_MAX).contains(&p.weight_g) {
        errors.push(
            format!("packages[{i}].weight_g"),
            format!("must be 1 to {PACKAGE_WEIGHT_G_MAX} grams"),
        );
    }
    for (d, name) in p
        .dimensions_mm
        .iter()
        .zip(["length_mm", "width_mm", "height_mm"])
    {
        if !(1..=DIMENSION_MM_MAX).contains(d) {
            errors.push(
                format!("packages[{i}].{name}"),
                format!("must be 1 to {DIMENSION_MM_MAX} millimetres"),
            );
        }
    }
}

/// The `i`th package's contents, each a line of the fulfilment order and at least one unit,
/// added to what the packages hold per line.
fn checked_contents(
    fo: &FulfillmentOrder,
    i: usize,
    p: &PackageInput,
    packed: &mut BTreeMap<u32, i64>,
    errors: &mut FieldErrors,
) -> Vec<PackageContent> {
    if p.contents.is_empty() {
        errors.push(format!("packages[{i}].contents"), "must not be empty");
    }
    let mut contents = Vec::new();
    for (j, (line_no, quantity)) in p.contents.iter().enumerate() {
        let field = format!("packages[{i}].contents[{j}]");
        let Some(line) = fo.lines.iter().find(|l| l.line_no == *line_no) else {
            errors.push(
                format!("{field}.line"),
                format!("line {line_no} is not in this fulfilment order"),
            );
            continue;
        };
        if *quantity < 1 {
            errors.push(format!("{field}.quantity"), "must be at least 1");
            continue;
        }
        *packed.entry(*line_no).or_default() += quantity;
        contents.push(PackageContent {
            line_no: *line_no,
            sku: line.sku.clone(),
            quantity: *quantity,
        });
    }
    contents
}
