//! A corpus: documents drawn from a seed, each as a clean scan and as a degraded photo, and a
//! manifest of JSON lines holding the ground truth of every image.

use std::io::{BufRead, Cursor, Write};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use image::{GrayImage, codecs::jpeg::JpegEncoder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::degrade::{self, Fault, Photo};
use crate::document::{self, Document, Layout};
use crate::page::{self, Faces};
use crate::zone;

/// The name of the manifest inside a corpus directory.
pub const MANIFEST: &str = "manifest.jsonl";

/// Which set an image belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Set {
    /// An upright flatbed scan, evenly lit.
    Clean,
    /// A photo of the page on a desk with one fault.
    Degraded,
}

/// One image and its ground truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The image, relative to the manifest's directory.
    pub file: String,
    /// Its set.
    pub set: Set,
    /// The document's position in the corpus.
    pub index: u64,
    /// The day the corpus was drawn for: read its dates as of this day.
    pub as_of: NaiveDate,
    /// What the document says.
    pub document: Document,
    /// Its machine readable zone, line by line.
    pub lines: Vec<String>,
    /// The page's resolution as drawn.
    pub dpi: f32,
    /// How a degraded copy was made.
    pub photo: Option<Photo>,
}

/// What to draw.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// The seed: the same seed, count and day give the same images, byte for byte.
    pub seed: u64,
    /// The day the documents are drawn for.
    pub as_of: NaiveDate,
}

impl Plan {
    /// Draws document `index` and returns its clean and its degraded image, encoded, with their
    /// entries. Each document has its own stream of the seed, so it does not depend on how many
    /// come before it.
    pub fn draw(&self, faces: &Faces, index: u64) -> anyhow::Result<[(Entry, Vec<u8>); 2]> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(index);

        let layout = Layout::ALL[(index % Layout::ALL.len() as u64) as usize];
        let document = document::draw(&mut rng, layout, self.as_of);
        let lines = zone::lines(&document);
        let dpi = rng.random_range(240.0..330.0f32).round();
        let page = page::draw(faces, &document, dpi, &mut rng);

        let fault = Fault::draw((index % Fault::KINDS as u64) as usize, &mut rng);
        let (photo_image, photo) = degrade::photograph(&page, &fault, &mut rng);

        let stem = format!("{index:04}-{}", layout_name(layout));
        let entry = |set: Set, file: String, photo: Option<Photo>| Entry {
            file,
            set,
            index,
            as_of: self.as_of,
            document: document.clone(),
            lines: lines.clone(),
            dpi,
            photo,
        };
        let clean = entry(Set::Clean, format!("clean/{stem}.jpg"), None);
        let quality = photo.jpeg_quality;
        let degraded = entry(Set::Degraded, format!("degraded/{stem}.jpg"), Some(photo));
        Ok([(clean, jpeg(&page, 92)?), (degraded, jpeg(&photo_image, quality)?)])
    }

    /// Draws documents `0..count` into `directory` with their manifest.
    pub fn write(&self, faces: &Faces, count: u64, directory: &Path) -> anyhow::Result<Vec<Entry>> {
        for set in ["clean", "degraded"] {
            std::fs::create_dir_all(directory.join(set))
                .with_context(|| format!("creating {}", directory.join(set).display()))?;
        }

        let mut entries = Vec::new();
        for index in 0..count {
            for (entry, bytes) in self.draw(faces, index)? {
                let path = directory.join(&entry.file);
                std::fs::write(&path, bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                entries.push(entry);
            }
        }

        let mut manifest = Vec::new();
        for entry in &entries {
            serde_json::to_writer(&mut manifest, entry)?;
            manifest.write_all(b"\n")?;
        }
        std::fs::write(directory.join(MANIFEST), manifest)?;
        Ok(entries)
    }
}

/// Reads a corpus's manifest.
pub fn read_manifest(directory: &Path) -> anyhow::Result<Vec<Entry>> {
    let path = directory.join(MANIFEST);
    let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(number, line)| {
            let line = line?;
            serde_json::from_str(&line)
                .with_context(|| format!("{} line {}", path.display(), number + 1))
        })
        .collect()
}

fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Td3 => "td3",
        Layout::Td1 => "td1",
        Layout::Td2 => "td2",
        Layout::MrvA => "mrva",
        Layout::MrvB => "mrvb",
    }
}

fn jpeg(image: &GrayImage, quality: u8) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(image)?;
    Ok(bytes.into_inner())
}
