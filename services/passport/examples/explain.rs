//! Why an image reads badly: for each image of a test-passports corpus, the truth, the zones
//! found (saved as PNG), tesseract's text in each, the repaired read and the fields it does
//! not vouch for.
//!
//! `cargo run --release -p idproof-passport --example explain -- CORPUS_DIR OUT_DIR`

use std::error::Error;
use std::path::PathBuf;

use idproof_passport::ocr::{self, ImageLimits};

fn main() -> Result<(), Box<dyn Error>> {
    let mut arguments = std::env::args().skip(1).map(PathBuf::from);
    let (Some(corpus), Some(out)) = (arguments.next(), arguments.next()) else {
        return Err("usage: explain CORPUS_DIR OUT_DIR".into());
    };
    std::fs::create_dir_all(&out)?;

    for entry in idproof_test_passports::read_manifest(&corpus)? {
        let bytes = std::fs::read(corpus.join(&entry.file))?;
        let zones = ocr::zone_images(&bytes, ImageLimits::default())?;
        println!("== {} ({} zones)", entry.file, zones.len());
        for line in &entry.lines {
            println!("   truth {line}");
        }

        for (index, zone) in zones.iter().enumerate() {
            zone.save(out.join(format!("{}-{index}.png", entry.file.replace('/', "-"))))?;
            for line in ocr::recognise_text(zone)?.lines() {
                println!("   zone{index} {line}");
            }
        }

        match ocr::read_mrz(&bytes, entry.as_of, ImageLimits::default()) {
            Ok(read) => {
                for line in &read.lines {
                    println!("   read  {line}");
                }
                let problems: Vec<_> =
                    read.report.problems.iter().map(|p| (p.field, p.kind.code())).collect();
                println!("   problems {problems:?}");
                let unsure: Vec<_> = read
                    .confidence
                    .iter()
                    .filter(|field| field.confidence < 0.9)
                    .map(|field| (field.field, field.confidence))
                    .collect();
                println!("   unsure {unsure:?}");
            }
            Err(err) => println!("   error {}", err.code()),
        }
    }
    Ok(())
}
