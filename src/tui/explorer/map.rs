//! The 2D map's data: every point with its base cluster, the view window
//! (zoom and pan), and the cached rasterisation of the points into braille
//! dots. A raster is computed once per view, size, selection and filter
//! and then drawn as a few thousand dots, however many points there are.

use super::index::{ClusterIndex, NONE};
use super::stats::Filter;
use crate::analysis::Analysis;

/// A rectangle in data coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl Window {
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// All points, in columns.
#[derive(Debug, Clone, Default)]
pub struct MapPoints {
    pub xs: Vec<f32>,
    pub ys: Vec<f32>,
    /// Base cluster index, or [`NONE`].
    pub base: Vec<u32>,
    /// Store position, or [`NONE`].
    pub pos: Vec<u32>,
    /// Bounds of every point, with a small margin.
    pub bounds: Option<Window>,
    /// Per base cluster: the sum of its points' x and y, and their count.
    pub base_sums: Vec<(f64, f64, u32)>,
}

impl MapPoints {
    pub fn build(analysis: &Analysis, index: &ClusterIndex) -> MapPoints {
        let mut out = MapPoints {
            base_sums: vec![(0.0, 0.0, 0); index.len()],
            ..MapPoints::default()
        };
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in &analysis.points {
            if !p.x.is_finite() || !p.y.is_finite() {
                continue;
            }
            let pos = analysis.position(&p.conversation_id);
            let base = index
                .get(&p.cluster)
                .or_else(|| pos.and_then(|q| index.conv_base.get(q).copied()))
                .unwrap_or(NONE);
            if let Some(sum) = out.base_sums.get_mut(base as usize) {
                sum.0 += f64::from(p.x);
                sum.1 += f64::from(p.y);
                sum.2 += 1;
            }
            out.xs.push(p.x);
            out.ys.push(p.y);
            out.base.push(base);
            out.pos.push(pos.map(|q| q as u32).unwrap_or(NONE));
            x0 = x0.min(f64::from(p.x));
            x1 = x1.max(f64::from(p.x));
            y0 = y0.min(f64::from(p.y));
            y1 = y1.max(f64::from(p.y));
        }
        if !out.xs.is_empty() {
            let mx = ((x1 - x0) * 0.03).max(1e-3);
            let my = ((y1 - y0) * 0.03).max(1e-3);
            out.bounds = Some(Window {
                x0: x0 - mx,
                x1: x1 + mx,
                y0: y0 - my,
                y1: y1 + my,
            });
        }
        out
    }

    pub fn len(&self) -> usize {
        self.xs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// The centre of the points under cluster `c`, as fractions of the
    /// bounds (what [`MapView::centre_on`] takes).
    pub fn centre_of(&self, index: &ClusterIndex, c: u32) -> Option<(f64, f64)> {
        let bounds = self.bounds?;
        let (mut sx, mut sy, mut n) = (0.0, 0.0, 0u64);
        for (b, &(x, y, k)) in self.base_sums.iter().enumerate() {
            if k > 0 && index.is_under(b as u32, c) {
                sx += x;
                sy += y;
                n += u64::from(k);
            }
        }
        (n > 0).then(|| {
            let (x, y) = (sx / n as f64, sy / n as f64);
            (
                (x - bounds.x0) / bounds.width(),
                (y - bounds.y0) / bounds.height(),
            )
        })
    }

    /// The point nearest to `(x, y)` among those `keep` accepts.
    pub fn nearest(&self, x: f64, y: f64, keep: impl Fn(usize) -> bool) -> Option<usize> {
        let mut best: Option<(f64, usize)> = None;
        for i in 0..self.len() {
            if !keep(i) {
                continue;
            }
            let dx = f64::from(self.xs[i]) - x;
            let dy = f64::from(self.ys[i]) - y;
            let d = dx * dx + dy * dy;
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, i));
            }
        }
        best.map(|(_, i)| i)
    }
}

pub const MAX_ZOOM: f64 = 256.0;

/// Zoom (1 = everything) and the centre, as fractions of the bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapView {
    pub zoom: f64,
    pub cx: f64,
    pub cy: f64,
}

impl Default for MapView {
    fn default() -> Self {
        MapView {
            zoom: 1.0,
            cx: 0.5,
            cy: 0.5,
        }
    }
}

impl MapView {
    pub fn window(&self, bounds: Window) -> Window {
        let w = bounds.width() / self.zoom;
        let h = bounds.height() / self.zoom;
        let cx = bounds.x0 + self.cx * bounds.width();
        let cy = bounds.y0 + self.cy * bounds.height();
        Window {
            x0: cx - w / 2.0,
            x1: cx + w / 2.0,
            y0: cy - h / 2.0,
            y1: cy + h / 2.0,
        }
    }

    pub fn zoom_by(&mut self, factor: f64) -> bool {
        let z = (self.zoom * factor).clamp(1.0, MAX_ZOOM);
        let changed = z != self.zoom;
        self.zoom = z;
        self.clamp();
        changed
    }

    /// Pans by a fraction of the visible window.
    pub fn pan(&mut self, dx: f64, dy: f64) -> bool {
        let before = *self;
        self.cx += dx / self.zoom;
        self.cy += dy / self.zoom;
        self.clamp();
        *self != before
    }

    /// True when a point (as fractions of the bounds) is in the window.
    pub fn shows(&self, fx: f64, fy: f64) -> bool {
        let half = 0.5 / self.zoom;
        (fx - self.cx).abs() <= half && (fy - self.cy).abs() <= half
    }

    /// Centres on a point given as fractions of the bounds.
    pub fn centre_on(&mut self, fx: f64, fy: f64) {
        self.cx = fx;
        self.cy = fy;
        self.clamp();
    }

    fn clamp(&mut self) {
        let half = 0.5 / self.zoom;
        self.cx = self.cx.clamp(half.min(0.5), (1.0 - half).max(0.5));
        self.cy = self.cy.clamp(half.min(0.5), (1.0 - half).max(0.5));
    }
}

/// What a raster was computed for.
#[derive(Debug, Clone, PartialEq)]
pub struct RasterKey {
    pub width: u16,
    pub height: u16,
    pub view: (u64, u64, u64),
    pub selected: u32,
    pub filter_generation: u64,
    /// Which classifier colouring (0: by top-level cluster).
    pub colours: u64,
}

/// Who a dot belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Under the top-level cluster of this rank (or, when colouring by a
    /// classifier, labelled with the class of this index).
    Root(u32),
    /// Under the selected cluster.
    Selected,
}

/// Dots on the braille grid (2×4 per cell, origin top left).
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    pub key: RasterKey,
    pub layers: Vec<(Layer, Vec<(u16, u16)>)>,
    /// Cell at the centre of the selected cluster's visible points.
    pub selected_centre: Option<(u16, u16)>,
    pub visible_points: usize,
}

impl Raster {
    /// Bins the points into a `width`×`height` cell grid for `window`.
    pub fn compute(
        key: RasterKey,
        points: &MapPoints,
        index: &ClusterIndex,
        window: Window,
        filter: Option<&Filter>,
        colours: Option<&[u32]>,
    ) -> Raster {
        let rx = usize::from(key.width) * 2;
        let ry = usize::from(key.height) * 4;
        let mut grid = vec![0u32; rx * ry];
        let under: Vec<bool> = (0..index.len() as u32)
            .map(|c| key.selected != NONE && index.is_under(c, key.selected))
            .collect();
        let (sx, sy) = (rx as f64 / window.width(), ry as f64 / window.height());
        let (mut cx, mut cy, mut cn) = (0usize, 0usize, 0usize);
        let mut visible = 0;
        if rx > 0 && ry > 0 && sx.is_finite() && sy.is_finite() {
            for i in 0..points.len() {
                if let Some(f) = filter
                    && (points.pos[i] == NONE || !f.accepts(points.pos[i]))
                {
                    continue;
                }
                let gx = (f64::from(points.xs[i]) - window.x0) * sx;
                let gy = (window.y1 - f64::from(points.ys[i])) * sy;
                if !(0.0..rx as f64).contains(&gx) || !(0.0..ry as f64).contains(&gy) {
                    continue;
                }
                visible += 1;
                let (gx, gy) = (gx as usize, gy as usize);
                let base = points.base[i] as usize;
                let code = if under.get(base).copied().unwrap_or(false) {
                    cx += gx;
                    cy += gy;
                    cn += 1;
                    1
                } else if let Some(groups) = colours {
                    // Unlabelled points get no colour group of their own.
                    match groups.get(points.pos[i] as usize) {
                        Some(&g) if g != NONE => g.saturating_add(2),
                        _ => continue,
                    }
                } else {
                    index
                        .root_rank
                        .get(base)
                        .map(|r| r.saturating_add(2))
                        .unwrap_or(2)
                };
                let slot = &mut grid[gy * rx + gx];
                if *slot != 1 {
                    *slot = code;
                }
            }
        }
        let mut layers: Vec<(Layer, Vec<(u16, u16)>)> = Vec::new();
        for (i, &code) in grid.iter().enumerate() {
            if code == 0 {
                continue;
            }
            let layer = if code == 1 {
                Layer::Selected
            } else {
                Layer::Root(code - 2)
            };
            let dot = ((i % rx) as u16, (i / rx) as u16);
            match layers.iter_mut().find(|(l, _)| *l == layer) {
                Some((_, dots)) => dots.push(dot),
                None => layers.push((layer, vec![dot])),
            }
        }
        // Selected dots last, so their colour wins the shared cells.
        layers.sort_by_key(|(l, _)| match l {
            Layer::Root(r) => u64::from(*r),
            Layer::Selected => u64::MAX,
        });
        let selected_centre = (cn > 0).then(|| (((cx / cn) / 2) as u16, ((cy / cn) / 4) as u16));
        Raster {
            key,
            layers,
            selected_centre,
            visible_points: visible,
        }
    }
}
