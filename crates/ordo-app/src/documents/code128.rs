//! Code 128 barcodes (code set B: every printable ASCII character), as bar and space widths
//! in modules, and back: the decoder reads widths as a scanner would and checks the start,
//! checksum and stop symbols.

/// Bar, space, bar, space, bar, space widths of symbol values 0 to 105.
const PATTERNS: [&str; 106] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232",
];
const START_B: usize = 104;
const STOP: &str = "2331112";

fn widths(pattern: &str) -> impl Iterator<Item = u8> + '_ {
    pattern.bytes().map(|b| b - b'0')
}

/// The widths, in modules, of alternating bars and spaces (starting with a bar) that encode
/// `text`; `None` when a character is outside printable ASCII.
pub fn encode(text: &str) -> Option<Vec<u8>> {
    let mut values = vec![START_B];
    for b in text.bytes() {
        if !(32..=126).contains(&b) {
            return None;
        }
        values.push(usize::from(b - 32));
    }
    let checksum = values
        .iter()
        .enumerate()
        .map(|(i, v)| i.max(1) * v)
        .sum::<usize>()
        % 103;
    values.push(checksum);
    let mut out: Vec<u8> = values.iter().flat_map(|v| widths(PATTERNS[*v])).collect();
    out.extend(widths(STOP));
    Some(out)
}

/// Reads bar and space widths (in modules) back to text, checking start, checksum and stop.
pub fn decode(modules: &[u8]) -> Result<String, String> {
    if modules.len() < 6 * 3 + 7 || !(modules.len() - 7).is_multiple_of(6) {
        return Err(format!(
            "{} widths cannot be a Code 128 symbol",
            modules.len()
        ));
    }
    let (symbols, stop) = modules.split_at(modules.len() - 7);
    if !stop.iter().copied().eq(widths(STOP)) {
        return Err("no stop pattern".into());
    }
    let values = symbols
        .chunks(6)
        .map(|chunk| {
            PATTERNS
                .iter()
                .position(|p| widths(p).eq(chunk.iter().copied()))
                .ok_or_else(|| format!("no symbol has widths {chunk:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if values[0] != START_B {
        return Err("not a code set B symbol".into());
    }
    let (data, check) = values.split_at(values.len() - 1);
    let sum = data
        .iter()
        .enumerate()
        .map(|(i, v)| i.max(1) * v)
        .sum::<usize>()
        % 103;
    if sum != check[0] {
        return Err("the checksum does not match".into());
    }
    data[1..]
        .iter()
        .map(|v| {
            u8::try_from(*v + 32)
                .ok()
                .filter(|b| (32..=126).contains(b))
                .map(char::from)
                .ok_or_else(|| format!("symbol {v} is not text"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_is_eleven_modules_and_text_round_trips() {
        for p in PATTERNS {
            assert_eq!(widths(p).map(u32::from).sum::<u32>(), 11, "{p}");
        }
        let bars = encode("PN0000000000427").unwrap();
        assert_eq!(bars.iter().map(|w| u32::from(*w)).sum::<u32>(), 11 * 18 + 2);
        assert_eq!(decode(&bars).unwrap(), "PN0000000000427");
        let mut broken = bars.clone();
        broken.swap(7, 8);
        assert!(decode(&broken).is_err());
        assert_eq!(encode("naïve"), None);
    }
}
