//! Tesseract's symbols with their boxes and confidence, from its hOCR output with character
//! boxes on (`hocr_char_boxes`): each `ocrx_cinfo` span holds one recognised character.

/// One character tesseract recognised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Symbol {
    /// The character: `A-Z`, `0-9` or `<`.
    pub(crate) character: u8,
    /// Its box, in the image's pixels.
    pub(crate) left: u32,
    pub(crate) top: u32,
    pub(crate) right: u32,
    pub(crate) bottom: u32,
    /// Tesseract's confidence, 0 to 1.
    pub(crate) confidence: f32,
}

impl Symbol {
    pub(crate) fn centre(&self) -> (f32, f32) {
        ((self.left + self.right) as f32 / 2.0, (self.top + self.bottom) as f32 / 2.0)
    }
}

const SPAN: &str = "<span class='ocrx_cinfo' title='";

/// The symbols of an hOCR page; spans that do not parse are skipped.
pub(crate) fn symbols(hocr: &str) -> Vec<Symbol> {
    hocr.split(SPAN).skip(1).filter_map(symbol).collect()
}

/// `x_bboxes 41 43 64 76; x_conf 98.95'>V</span>…`
fn symbol(span: &str) -> Option<Symbol> {
    let (title, rest) = span.split_once("'>")?;
    let (content, _) = rest.split_once("</span>")?;
    let character = match content {
        "&lt;" => b'<',
        _ if content.len() == 1 => content.as_bytes()[0],
        _ => return None,
    };

    let mut boxes = None;
    let mut confidence = None;
    for property in title.split(';').map(str::trim) {
        if let Some(numbers) = property.strip_prefix("x_bboxes ") {
            let numbers: Vec<u32> =
                numbers.split_whitespace().filter_map(|n| n.parse().ok()).collect();
            boxes = <[u32; 4]>::try_from(numbers).ok();
        } else if let Some(value) = property.strip_prefix("x_conf ") {
            confidence = value.trim().parse::<f32>().ok().filter(|c| c.is_finite());
        }
    }
    let [left, top, right, bottom] = boxes?;
    Some(Symbol { character, left, top, right, bottom, confidence: confidence? / 100.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_come_with_their_boxes_and_confidence() {
        let hocr = "<span class='ocrx_word' id='word_1_1' title='bbox 41 43 1440 76'>\
            <span class='ocrx_cinfo' title='x_bboxes 41 43 64 76; x_conf 98.95'>V</span>\
            <span class='ocrx_cinfo' title='x_bboxes 73 44 96 72; x_conf 97.6'>&lt;</span>\
            <span class='ocrx_cinfo' title='x_bboxes 1 2 3; x_conf 97.6'>K</span>\
            <span class='ocrx_cinfo' title='x_bboxes 99 43 120 75; x_conf nan'>P</span>";

        let symbols = symbols(hocr);

        assert_eq!(symbols.len(), 2, "a short box and a bad confidence are skipped");
        assert_eq!(symbols[0].character, b'V');
        assert_eq!((symbols[0].left, symbols[0].bottom), (41, 76));
        assert!((symbols[0].confidence - 0.9895).abs() < 1e-4);
        assert_eq!(symbols[1].character, b'<');
    }
}
