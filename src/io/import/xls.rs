//! `.xls` files are read whole by their reader, which reserves room for the grid each sheet's
//! DIMENSIONS record declares and then builds the grid its cells span: both are measured here
//! first, from the workbook stream of the compound file, and refused beyond [`MAX_XLS_CELLS`].

use super::{ImportError, TooLarge};
use std::path::Path;

/// Grid cells the `.xls` reader may build, all sheets together (each costs it ~32 bytes).
pub const MAX_XLS_CELLS: u64 = 8_000_000;
/// Size of an `.xls` file (it is read whole, by this check and by the reader).
pub const MAX_XLS_BYTES: u64 = 256 << 20;

const END: u32 = 0xFFFF_FFFE;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The sectors of an OLE compound file, enough to read one stream.
struct Cfb<'a> {
    bytes: &'a [u8],
    shift: u32,
    fat: Vec<u32>,
}

impl Cfb<'_> {
    fn sector(&self, id: u32) -> Option<&[u8]> {
        let size = 1usize << self.shift;
        let start = (id as usize + 1).checked_mul(size)?;
        self.bytes.get(start..start + size)
    }

    /// The bytes of a sector chain (at most as many sectors as the file has: no loop).
    fn chain(&self, mut id: u32, table: &[u32], read: &dyn Fn(u32) -> Option<Vec<u8>>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut steps = 0;
        while id < END && steps <= table.len() {
            match read(id) {
                Some(s) => out.extend_from_slice(&s),
                None => break,
            }
            id = table.get(id as usize).copied().unwrap_or(END);
            steps += 1;
        }
        out
    }

    fn big_chain(&self, id: u32) -> Vec<u8> {
        self.chain(id, &self.fat, &|s| self.sector(s).map(<[u8]>::to_vec))
    }
}

/// The `Workbook` (or BIFF5 `Book`) stream of a compound file.
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let shift = u32::from(u16_at(bytes, 0x1E)?);
    if !(7..=16).contains(&shift) {
        return None;
    }
    let size = 1usize << shift;
    let mut cfb = Cfb {
        bytes,
        shift,
        fat: Vec::new(),
    };
    // The FAT's sectors: 109 listed in the header, the rest in the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(bytes, 0x4C + 4 * i))
        .filter(|&s| s < END)
        .collect();
    let mut difat = u32_at(bytes, 0x44)?;
    let mut guard = 0;
    while difat < END && guard < bytes.len() / size {
        let s = cfb.sector(difat)?;
        let n = size / 4 - 1;
        fat_sectors.extend((0..n).filter_map(|i| u32_at(s, 4 * i)).filter(|&x| x < END));
        difat = u32_at(s, 4 * n)?;
        guard += 1;
    }
    let mut fat = Vec::new();
    for s in fat_sectors {
        if let Some(sec) = cfb.sector(s) {
            fat.extend((0..size / 4).filter_map(|i| u32_at(sec, 4 * i)));
        }
    }
    cfb.fat = fat;
    let dir = cfb.big_chain(u32_at(bytes, 0x30)?);
    let cutoff = u64::from(u32_at(bytes, 0x38)?);
    let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
    let root = entries.first()?;
    let stream = entries.iter().find(|e| {
        let len = usize::from(u16_at(e, 64).unwrap_or(0)).min(64);
        let name: Vec<u16> = (0..len / 2)
            .filter_map(|i| u16_at(e, 2 * i))
            .take_while(|&c| c != 0)
            .collect();
        let name = String::from_utf16_lossy(&name);
        e.get(66) == Some(&2) && (name == "Workbook" || name == "Book")
    })?;
    let start = u32_at(stream, 116)?;
    let len = u64::from(u32_at(stream, 120)?);
    let mut data = if len < cutoff {
        // A small stream lives in the mini stream, in 64-byte sectors.
        let mini_shift = u32::from(u16_at(bytes, 0x20)?).min(12);
        let mini = cfb.big_chain(u32_at(root, 116)?);
        let minifat_bytes = cfb.big_chain(u32_at(bytes, 0x3C)?);
        let minifat: Vec<u32> = (0..minifat_bytes.len() / 4)
            .filter_map(|i| u32_at(&minifat_bytes, 4 * i))
            .collect();
        let msize = 1usize << mini_shift;
        cfb.chain(start, &minifat, &|s| {
            let at = (s as usize).checked_mul(msize)?;
            mini.get(at..at + msize).map(<[u8]>::to_vec)
        })
    } else {
        cfb.big_chain(start)
    };
    data.truncate(usize::try_from(len).unwrap_or(usize::MAX));
    Some(data)
}

/// Per sheet: the grid its DIMENSIONS record makes the reader reserve, and the one its cells
/// span; refused when either, summed over the sheets, is beyond [`MAX_XLS_CELLS`].
pub(super) fn check_xls(path: &Path, file: &str) -> Result<(), ImportError> {
    let too_large = |what: TooLarge| ImportError::TooLarge {
        file: file.to_string(),
        what,
    };
    let open = |e: std::io::Error| ImportError::system(file, &e);
    let size = std::fs::metadata(path).map_err(open)?.len();
    if size > MAX_XLS_BYTES {
        return Err(too_large(TooLarge::XlsBytes {
            mib: size.div_ceil(1 << 20),
            limit_mib: MAX_XLS_BYTES >> 20,
        }));
    }
    let bytes = std::fs::read(path).map_err(open)?;
    // A file the reader cannot open either is left to it to describe.
    let Some(stream) = workbook_stream(&bytes) else {
        return Ok(());
    };
    let (mut declared, mut spanned) = (0u64, 0u64);
    // The cells' span in the current sheet: first row, last row, first column, last column.
    let mut span: Option<(u64, u64, u64, u64)> = None;
    let close = |span: &mut Option<(u64, u64, u64, u64)>, spanned: &mut u64| {
        if let Some((r0, r1, c0, c1)) = span.take() {
            *spanned = spanned.saturating_add((r1 - r0 + 1).saturating_mul(c1 - c0 + 1));
        }
    };
    let mut at = 0usize;
    while let (Some(typ), Some(len)) = (u16_at(&stream, at), u16_at(&stream, at + 2)) {
        let data = stream.get(at + 4..at + 4 + usize::from(len)).unwrap_or(&[]);
        at += 4 + usize::from(len);
        let cell = |row: u64, col: u64, span: &mut Option<(u64, u64, u64, u64)>| {
            *span = Some(match *span {
                None => (row, row, col, col),
                Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
            });
        };
        match typ {
            // BOF: a new substream (sheet).
            0x0809 => close(&mut span, &mut spanned),
            // DIMENSIONS, as the reader computes it (rows × columns it reserves).
            0x0200 => {
                let (rf, rl, cf, cl) = match data.len() {
                    10 => (
                        u64::from(u16_at(data, 0).unwrap_or(0)),
                        u64::from(u16_at(data, 2).unwrap_or(0)),
                        u64::from(u16_at(data, 4).unwrap_or(0)),
                        u64::from(u16_at(data, 6).unwrap_or(0)),
                    ),
                    14 | 16 => (
                        u64::from(u32_at(data, 0).unwrap_or(0)),
                        u64::from(u32_at(data, 4).unwrap_or(0)),
                        u64::from(u16_at(data, 8).unwrap_or(0)),
                        u64::from(u16_at(data, 10).unwrap_or(0)),
                    ),
                    _ => continue,
                };
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 {
                    if rl - 1 < rf {
                        return Err(too_large(TooLarge::XlsBackwards {
                            first: rf,
                            last: rl,
                        }));
                    }
                    declared = declared.saturating_add((rl - rf).saturating_mul(cl - cf));
                }
            }
            // Cells: row and column first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    cell(u64::from(r), u64::from(c), &mut span);
                }
            }
            // MULRK: row, first column, …, last column (blank cells are not kept).
            0x00BD => {
                let last = data.len().checked_sub(2).and_then(|i| u16_at(data, i));
                if let (Some(r), Some(c), Some(l)) = (u16_at(data, 0), u16_at(data, 2), last) {
                    cell(u64::from(r), u64::from(c), &mut span);
                    cell(u64::from(r), u64::from(l), &mut span);
                }
            }
            _ => {}
        }
        if declared > MAX_XLS_CELLS || spanned > MAX_XLS_CELLS {
            break;
        }
    }
    close(&mut span, &mut spanned);
    let grid = declared.max(spanned);
    if grid > MAX_XLS_CELLS {
        return Err(too_large(TooLarge::XlsCells {
            limit: MAX_XLS_CELLS,
            grid,
        }));
    }
    Ok(())
}
