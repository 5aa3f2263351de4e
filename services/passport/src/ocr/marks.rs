//! Marks: the connected groups of dark pixels (8-neighbourhood) in an image, by their boxes.
//! The zone is found from them, and the band's lines and cells are laid out from them.

use image::GrayImage;

/// A connected group of dark pixels: a character, a filler, a speck or a line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark {
    pub(crate) left: u32,
    pub(crate) top: u32,
    pub(crate) right: u32,
    pub(crate) bottom: u32,
}

impl Mark {
    pub(crate) fn height(&self) -> u32 {
        self.bottom - self.top + 1
    }

    pub(crate) fn width(&self) -> u32 {
        self.right - self.left + 1
    }

    pub(crate) fn middle(&self) -> f32 {
        (self.top + self.bottom) as f32 / 2.0
    }

    pub(crate) fn centre_x(&self) -> f32 {
        (self.left + self.right) as f32 / 2.0
    }
}

/// Every mark of `image`, where `dark` says which pixel values are ink.
pub(crate) fn marks(image: &GrayImage, dark: impl Fn(u8) -> bool) -> Vec<Mark> {
    let (width, height) = image.dimensions();
    let pixels = image.as_raw();
    let is_dark = |index: usize| dark(pixels[index]);
    let mut seen = vec![false; pixels.len()];
    let mut found = Vec::new();
    let mut stack = Vec::new();

    for start in 0..pixels.len() {
        if seen[start] || !is_dark(start) {
            continue;
        }
        let (x, y) = ((start as u32) % width, (start as u32) / width);
        let mut mark = Mark { left: x, top: y, right: x, bottom: y };
        seen[start] = true;
        stack.push(start);
        while let Some(at) = stack.pop() {
            let (x, y) = ((at as u32) % width, (at as u32) / width);
            (mark.left, mark.right) = (mark.left.min(x), mark.right.max(x));
            (mark.top, mark.bottom) = (mark.top.min(y), mark.bottom.max(y));
            for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (nx, ny) = (i64::from(x) + dx, i64::from(y) + dy);
                if nx < 0 || ny < 0 || nx >= i64::from(width) || ny >= i64::from(height) {
                    continue;
                }
                let next = (ny as u32 * width + nx as u32) as usize;
                if !seen[next] && is_dark(next) {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
        found.push(mark);
    }
    found
}
