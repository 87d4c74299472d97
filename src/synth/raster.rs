//! A labelled square grid and the clean-up that makes it traceable.
//!
//! A [`LabelGrid`] assigns every cell a region label (or [`OUTSIDE`]). Before its
//! boundaries can be traced into valid polygons ([`super::trace::tile`]) every
//! label must be **one 4-connected component** and there must be **no pinch**: two
//! cells of one label touching only diagonally at a grid corner while the other
//! two cells around that corner belong to other labels (the polygon would touch
//! itself in a point). [`clean`] enforces both, optionally under a hierarchy:
//! a cell only ever moves to a label with the same parent, so cleaning areas
//! never changes which municipality a cell is in.

use crate::error::Error;

/// The label of cells outside every region.
pub const OUTSIDE: u32 = u32::MAX;

/// A square grid of labels. Cell `(i, j)` covers
/// `[x0 + i·cell, x0 + (i+1)·cell] × [y0 + j·cell, y0 + (j+1)·cell]`
/// (`j` grows northwards); `labels[j·nx + i]` is its label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelGrid {
    /// Easting of the grid's west edge, whole metres.
    pub x0: i64,
    /// Northing of the grid's south edge, whole metres.
    pub y0: i64,
    /// Cell side, whole metres.
    pub cell: i64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Row-major labels, [`OUTSIDE`] for no region.
    pub labels: Vec<u32>,
}

impl LabelGrid {
    /// A grid with every cell [`OUTSIDE`].
    pub fn new(x0: i64, y0: i64, cell: i64, nx: usize, ny: usize) -> Self {
        LabelGrid {
            x0,
            y0,
            cell,
            nx,
            ny,
            labels: vec![OUTSIDE; nx * ny],
        }
    }

    /// The label at `(i, j)`, [`OUTSIDE`] beyond the grid.
    pub fn get(&self, i: i64, j: i64) -> u32 {
        if i < 0 || j < 0 || i >= self.nx as i64 || j >= self.ny as i64 {
            OUTSIDE
        } else {
            self.labels[j as usize * self.nx + i as usize]
        }
    }

    /// Centre of cell `idx` in metres.
    pub fn centre(&self, idx: usize) -> (f64, f64) {
        let (i, j) = (idx % self.nx, idx / self.nx);
        (
            (self.x0 + i as i64 * self.cell) as f64 + self.cell as f64 / 2.0,
            (self.y0 + j as i64 * self.cell) as f64 + self.cell as f64 / 2.0,
        )
    }

    /// The cell containing `(x, y)` metres, if on the grid.
    pub fn cell_at(&self, x: f64, y: f64) -> Option<usize> {
        let i = ((x - self.x0 as f64) / self.cell as f64).floor();
        let j = ((y - self.y0 as f64) / self.cell as f64).floor();
        if i < 0.0 || j < 0.0 || i >= self.nx as f64 || j >= self.ny as f64 {
            None
        } else {
            Some(j as usize * self.nx + i as usize)
        }
    }

    /// Number of labels in use (`max label + 1`, ignoring [`OUTSIDE`]).
    pub fn label_count(&self) -> usize {
        self.labels
            .iter()
            .filter(|&&l| l != OUTSIDE)
            .map(|&l| l as usize + 1)
            .max()
            .unwrap_or(0)
    }

    /// Cells per label.
    pub fn counts(&self) -> Vec<usize> {
        let mut c = vec![0usize; self.label_count()];
        for &l in &self.labels {
            if l != OUTSIDE {
                c[l as usize] += 1;
            }
        }
        c
    }

    fn neighbours(&self, idx: usize) -> impl Iterator<Item = usize> + '_ {
        let (i, j) = (idx % self.nx, idx / self.nx);
        let nx = self.nx;
        [
            (i > 0).then(|| idx - 1),
            (i + 1 < nx).then(|| idx + 1),
            (j > 0).then(|| idx - nx),
            (j + 1 < self.ny).then(|| idx + nx),
        ]
        .into_iter()
        .flatten()
    }
}

/// Checks that the label vector matches the grid's size.
pub fn check_size(grid: &LabelGrid) -> Result<(), Error> {
    if grid.labels.len() != grid.nx * grid.ny || grid.cell <= 0 {
        return Err(Error::Compute(format!(
            "synthetic raster: {} labels for a {}×{} grid with {} m cells",
            grid.labels.len(),
            grid.nx,
            grid.ny,
            grid.cell
        )));
    }
    Ok(())
}

/// 4-connected components: `(component of each cell (u32::MAX outside), for each
/// component (label, size, first cell))`. Components are numbered in scan order.
pub fn components(grid: &LabelGrid) -> (Vec<u32>, Vec<(u32, usize, usize)>) {
    let mut comp = vec![u32::MAX; grid.labels.len()];
    let mut info = Vec::new();
    let mut stack = Vec::new();
    for start in 0..grid.labels.len() {
        let l = grid.labels[start];
        if l == OUTSIDE || comp[start] != u32::MAX {
            continue;
        }
        let id = info.len() as u32;
        comp[start] = id;
        stack.push(start);
        let mut size = 0;
        while let Some(c) = stack.pop() {
            size += 1;
            for n in grid.neighbours(c) {
                if comp[n] == u32::MAX && grid.labels[n] == l {
                    comp[n] = id;
                    stack.push(n);
                }
            }
        }
        info.push((l, size, start));
    }
    (comp, info)
}

/// What [`clean`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanStats {
    /// Stray components merged into a neighbour.
    pub strays: usize,
    /// Cells relabelled to remove pinches.
    pub pinches: usize,
    /// Rounds until nothing changed.
    pub rounds: usize,
}

/// Makes every label one 4-connected component without pinches.
///
/// * `parent[label]`: a cell may only move to a label with the same parent
///   (pass all zeros for no hierarchy). [`OUTSIDE`] cells never change.
/// * `protected`: cells whose label must not change; the component holding a
///   label's protected cells is the one kept (otherwise the largest). If a
///   label's protected cells lie in several components, a corridor three cells
///   wide is cut along a shortest path to join them.
///
/// Stray components go whole to the allowed neighbour label sharing the longest
/// border; a pinch is removed by relabelling one of the four cells around the
/// corner. Rounds repeat until nothing changes.
///
/// # Errors
/// [`Error::Compute`] if a stray has no allowed neighbour, the pieces of a
/// label with protected cells cannot be joined, a pinch cannot be removed, or
/// the rounds do not converge.
pub fn clean(
    grid: &mut LabelGrid,
    parent: &[u32],
    protected: &[usize],
) -> Result<CleanStats, Error> {
    check_size(grid)?;
    let mut is_protected = vec![false; grid.labels.len()];
    for &p in protected {
        if p < is_protected.len() {
            is_protected[p] = true;
        }
    }
    let parent_of = |l: u32| parent.get(l as usize).copied().unwrap_or(0);
    let mut stats = CleanStats::default();
    let mut last = (0, 0);
    for round in 1..=200 {
        stats.rounds = round;
        let strays = merge_strays(grid, &parent_of, protected)?;
        let pinches = fix_pinches(grid, &parent_of, &is_protected)?;
        stats.strays += strays;
        stats.pinches += pinches;
        if strays == 0 && pinches == 0 {
            return Ok(stats);
        }
        last = (strays, pinches);
    }
    Err(Error::Compute(format!(
        "synthetic raster clean-up did not converge (last round: {} strays, {} pinches)",
        last.0, last.1
    )))
}

fn merge_strays(
    grid: &mut LabelGrid,
    parent_of: &dyn Fn(u32) -> u32,
    protected: &[usize],
) -> Result<usize, Error> {
    let (comp, info) = components(grid);
    let n_labels = grid.label_count();
    // The component kept for each label.
    let mut keep: Vec<Option<u32>> = vec![None; n_labels];
    for &p in protected {
        let Some(&c) = comp.get(p) else { continue };
        if c == u32::MAX {
            continue;
        }
        let l = info[c as usize].0 as usize;
        match keep[l] {
            Some(k) if k != c => {
                // Join this piece to the rest of its label first.
                build_corridor(grid, &comp, c, parent_of, protected)?;
                return Ok(1);
            }
            _ => keep[l] = Some(c),
        }
    }
    let mut has_protected = vec![false; info.len()];
    for &p in protected {
        if let Some(&c) = comp.get(p) {
            if c != u32::MAX {
                has_protected[c as usize] = true;
            }
        }
    }
    for (id, &(l, size, _)) in info.iter().enumerate() {
        let k = &mut keep[l as usize];
        match *k {
            None => *k = Some(id as u32),
            Some(cur) if !has_protected[cur as usize] && size > info[cur as usize].1 => {
                *k = Some(id as u32);
            }
            _ => {}
        }
    }
    let stray: Vec<bool> = info
        .iter()
        .enumerate()
        .map(|(id, &(l, _, _))| keep[l as usize] != Some(id as u32))
        .collect();
    if !stray.iter().any(|&s| s) {
        return Ok(0);
    }
    // Border lengths of each stray component with each allowed neighbour label.
    let mut borders: Vec<Vec<(u32, usize)>> = vec![Vec::new(); info.len()];
    for idx in 0..grid.labels.len() {
        let c = comp[idx];
        if c == u32::MAX || !stray[c as usize] {
            continue;
        }
        let l = grid.labels[idx];
        for n in grid.neighbours(idx) {
            let nl = grid.labels[n];
            // Only into kept components: two strays must not swap labels.
            if nl == OUTSIDE
                || comp[n] == c
                || stray[comp[n] as usize]
                || parent_of(nl) != parent_of(l)
            {
                continue;
            }
            let b = &mut borders[c as usize];
            match b.iter_mut().find(|(x, _)| *x == nl) {
                Some(e) => e.1 += 1,
                None => b.push((nl, 1)),
            }
        }
    }
    let mut target = vec![OUTSIDE; info.len()];
    let mut merged = 0;
    for (id, b) in borders.iter().enumerate() {
        if !stray[id] {
            continue;
        }
        // Longest border, then lowest label.
        let best = b
            .iter()
            .filter(|(nl, _)| *nl != info[id].0)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        // (None: only strays around it yet; it merges in a later round.)
        if let Some(&(nl, _)) = best {
            target[id] = nl;
            merged += 1;
        }
    }
    if merged == 0 {
        let (l, n) = info
            .iter()
            .zip(&stray)
            .find(|(_, s)| **s)
            .map(|(i, _)| (i.0, i.1))
            .unwrap_or((OUTSIDE, 0));
        return Err(Error::Compute(format!(
            "synthetic raster: a piece of label {l} ({n} cells) has no neighbour to merge into"
        )));
    }
    for (label, &c) in grid.labels.iter_mut().zip(&comp) {
        if c != u32::MAX && target[c as usize] != OUTSIDE {
            *label = target[c as usize];
        }
    }
    Ok(merged)
}

/// Joins component `c` to the nearest other cell of its label by relabelling a
/// shortest 4-connected path (widened to three cells) through cells it may take.
fn build_corridor(
    grid: &mut LabelGrid,
    comp: &[u32],
    c: u32,
    parent_of: &dyn Fn(u32) -> u32,
    protected: &[usize],
) -> Result<(), Error> {
    let Some(start) = comp.iter().position(|&x| x == c) else {
        return Ok(());
    };
    let l = grid.labels[start];
    let mut is_protected = vec![false; grid.labels.len()];
    for &p in protected {
        if p < is_protected.len() {
            is_protected[p] = true;
        }
    }
    let may_take = |grid: &LabelGrid, idx: usize| {
        let x = grid.labels[idx];
        x != OUTSIDE && (x == l || (!is_protected[idx] && parent_of(x) == parent_of(l)))
    };
    let mut prev = vec![usize::MAX; grid.labels.len()];
    let mut queue = std::collections::VecDeque::new();
    for (idx, &x) in comp.iter().enumerate() {
        if x == c {
            prev[idx] = idx;
            queue.push_back(idx);
        }
    }
    let mut goal = None;
    while let Some(cur) = queue.pop_front() {
        if grid.labels[cur] == l && comp[cur] != c {
            goal = Some(cur);
            break;
        }
        let ns: Vec<usize> = grid.neighbours(cur).collect();
        for n in ns {
            if prev[n] == usize::MAX && may_take(grid, n) {
                prev[n] = cur;
                queue.push_back(n);
            }
        }
    }
    let Some(mut cur) = goal else {
        return Err(Error::Compute(format!(
            "synthetic raster: cannot join the pieces of label {l}"
        )));
    };
    let mut path = Vec::new();
    while prev[cur] != cur {
        path.push(cur);
        cur = prev[cur];
    }
    for &p in &path {
        let ns: Vec<usize> = grid.neighbours(p).collect();
        for n in std::iter::once(p).chain(ns) {
            if may_take(grid, n) {
                grid.labels[n] = l;
            }
        }
    }
    Ok(())
}

fn fix_pinches(
    grid: &mut LabelGrid,
    parent_of: &dyn Fn(u32) -> u32,
    is_protected: &[bool],
) -> Result<usize, Error> {
    let nx = grid.nx as i64;
    let ny = grid.ny as i64;
    let mut fixed = 0;
    // Corners (i, j) between cells (i-1..=i, j-1..=j), including the grid border
    // (cells beyond the grid are OUTSIDE, which never pinches anything here as
    // the caller keeps a margin of OUTSIDE cells).
    for j in 1..ny {
        for i in 1..nx {
            loop {
                let sw = grid.get(i - 1, j - 1);
                let se = grid.get(i, j - 1);
                let nw = grid.get(i - 1, j);
                let ne = grid.get(i, j);
                let idx = |di: i64, dj: i64| ((j - 1 + dj) * nx + (i - 1 + di)) as usize;
                // (pinched label, its two cells, the two other cells)
                let pinch = if sw != OUTSIDE && sw == ne && se != sw && nw != sw {
                    Some((sw, [idx(0, 0), idx(1, 1)], [idx(1, 0), idx(0, 1)]))
                } else if se != OUTSIDE && se == nw && sw != se && ne != se {
                    Some((se, [idx(1, 0), idx(0, 1)], [idx(0, 0), idx(1, 1)]))
                } else {
                    None
                };
                let Some((l, own, other)) = pinch else { break };
                let allowed = |cell: usize, new: u32, grid: &LabelGrid| {
                    let old = grid.labels[cell];
                    old != OUTSIDE
                        && new != OUTSIDE
                        && !is_protected[cell]
                        && parent_of(old) == parent_of(new)
                };
                // Fill one of the other cells with the pinched label, or give
                // one of the pinched cells to a neighbour.
                let mut options: Vec<(usize, u32)> = vec![(other[0], l), (other[1], l)];
                for &o in &own {
                    for &x in &other {
                        options.push((o, grid.labels[x]));
                    }
                }
                let Some(&(cell, new)) = options.iter().find(|&&(c, n)| allowed(c, n, grid)) else {
                    return Err(Error::Compute(format!(
                        "synthetic raster: cannot remove a pinch of label {l} at corner ({i}, {j})"
                    )));
                };
                grid.labels[cell] = new;
                fixed += 1;
            }
        }
    }
    Ok(fixed)
}

/// Makes a binary mask (`true` = inside) one 4-connected piece without holes or
/// pinches: keeps the largest piece, fills enclosed outside pieces, and fills one
/// outside cell of every diagonal-only contact. Cells on the grid border stay
/// outside. Does nothing if `mask.len() != nx · ny`.
pub fn clean_mask(mask: &mut [bool], nx: usize, ny: usize) {
    if mask.len() != nx * ny {
        return;
    }
    for _ in 0..100 {
        let mut changed = false;
        // Keep the largest inside piece; fill outside pieces not touching the border.
        for inside in [true, false] {
            let mut grid = LabelGrid::new(0, 0, 1, nx, ny);
            for (g, &m) in grid.labels.iter_mut().zip(mask.iter()) {
                *g = if m == inside { 0 } else { OUTSIDE };
            }
            let (comp, info) = components(&grid);
            if inside {
                let best = info
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.1.cmp(&b.1.1).then(b.0.cmp(&a.0)))
                    .map(|(id, _)| id as u32);
                for (idx, m) in mask.iter_mut().enumerate() {
                    if *m && Some(comp[idx]) != best {
                        *m = false;
                        changed = true;
                    }
                }
            } else {
                let mut touches = vec![false; info.len()];
                for idx in 0..mask.len() {
                    let (i, j) = (idx % nx, idx / nx);
                    if comp[idx] != u32::MAX && (i == 0 || j == 0 || i + 1 == nx || j + 1 == ny) {
                        touches[comp[idx] as usize] = true;
                    }
                }
                for (idx, m) in mask.iter_mut().enumerate() {
                    if !*m && comp[idx] != u32::MAX && !touches[comp[idx] as usize] {
                        *m = true;
                        changed = true;
                    }
                }
            }
        }
        for j in 1..ny {
            for i in 1..nx {
                let sw = (j - 1) * nx + i - 1;
                let (se, nw, ne) = (sw + 1, sw + nx, sw + nx + 1);
                if mask[sw] == mask[ne] && mask[se] == mask[nw] && mask[sw] != mask[se] {
                    // Fill an outside cell not on the grid border.
                    let cand = if mask[sw] { [se, nw] } else { [sw, ne] };
                    for c in cand {
                        let (ci, cj) = (c % nx, c / nx);
                        if ci > 0 && cj > 0 && ci + 1 < nx && cj + 1 < ny {
                            mask[c] = true;
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
        if !changed {
            return;
        }
    }
}

/// Multi-source region growing (Dijkstra over the 8 neighbours, diagonal steps
/// √2 cells long): every cell with `domain[idx]` goes to the source it can be
/// reached from most cheaply, where a step between cells `a` and `b` costs
/// `length in metres · (cost[a] + cost[b]) / 2` and each source starts at its own
/// cost. Source cells keep their label whatever the costs, so each label's
/// region is connected (8-connected) to its sources. Ties go to the lower cell
/// index: the result is deterministic.
///
/// # Errors
/// [`Error::Compute`] if `domain` or `cost` do not have one entry per cell.
pub fn grow(
    grid: &mut LabelGrid,
    domain: &[bool],
    sources: &[(usize, u32, f64)],
    cost: &[f32],
) -> Result<(), Error> {
    check_size(grid)?;
    if domain.len() != grid.labels.len() || cost.len() != grid.labels.len() {
        return Err(Error::Compute(
            "synthetic raster: domain and cost need one entry per cell".into(),
        ));
    }
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let (nx, ny) = (grid.nx as i64, grid.ny as i64);
    let mut best = vec![f64::INFINITY; grid.labels.len()];
    let mut fixed = vec![false; grid.labels.len()];
    let mut heap = BinaryHeap::new();
    for &(idx, l, c) in sources {
        if idx < best.len() {
            grid.labels[idx] = l;
            best[idx] = if c > 0.0 { c } else { 0.0 }; // never -0.0 or NaN
            fixed[idx] = true;
            heap.push(Reverse((best[idx].to_bits(), idx)));
        }
    }
    let mut done = vec![false; grid.labels.len()];
    let step = 0.5 * grid.cell as f64;
    while let Some(Reverse((bits, idx))) = heap.pop() {
        if done[idx] || f64::from_bits(bits) > best[idx] {
            continue;
        }
        done[idx] = true;
        let l = grid.labels[idx];
        let (i, j) = ((idx as i64) % nx, (idx as i64) / nx);
        for (di, dj, len) in [
            (1i64, 0i64, 1.0f64),
            (-1, 0, 1.0),
            (0, 1, 1.0),
            (0, -1, 1.0),
            (1, 1, std::f64::consts::SQRT_2),
            (1, -1, std::f64::consts::SQRT_2),
            (-1, 1, std::f64::consts::SQRT_2),
            (-1, -1, std::f64::consts::SQRT_2),
        ] {
            let (a, b) = (i + di, j + dj);
            if a < 0 || b < 0 || a >= nx || b >= ny {
                continue;
            }
            let n = (b * nx + a) as usize;
            if !domain[n] || fixed[n] || done[n] {
                continue;
            }
            let c = best[idx] + len * step * f64::from(cost[idx] + cost[n]);
            if c < best[n] {
                best[n] = c;
                grid.labels[n] = l;
                heap.push(Reverse((c.to_bits(), n)));
            }
        }
    }
    Ok(())
}

/// The cells of a 4-connected raster line from `a` to `b` (metres).
pub fn line_cells(grid: &LabelGrid, a: (f64, f64), b: (f64, f64)) -> Vec<usize> {
    let len = ((b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1)).sqrt();
    let steps = (4.0 * len / grid.cell as f64).ceil().max(1.0) as usize;
    let mut out: Vec<usize> = Vec::new();
    for s in 0..=steps {
        let t = s as f64 / steps as f64;
        let Some(c) = grid.cell_at(a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)) else {
            continue;
        };
        if let Some(&last) = out.last() {
            if last == c {
                continue;
            }
            // Diagonal step: add a shared 4-neighbour.
            let (li, lj) = (last % grid.nx, last / grid.nx);
            let (ci, cj) = (c % grid.nx, c / grid.nx);
            if li != ci && lj != cj {
                out.push(lj * grid.nx + ci);
            }
        }
        out.push(c);
    }
    out
}

/// For every cell, its chessboard distance (in cells) to the nearest cell with a
/// different label (including [`OUTSIDE`] and the grid's edge); 0 for outside.
pub fn boundary_distance(grid: &LabelGrid) -> Vec<u32> {
    let (nx, ny) = (grid.nx, grid.ny);
    let mut dist = vec![u32::MAX; grid.labels.len()];
    let mut queue = std::collections::VecDeque::new();
    for (idx, &l) in grid.labels.iter().enumerate() {
        if l == OUTSIDE {
            dist[idx] = 0;
            continue;
        }
        let (i, j) = ((idx % nx) as i64, (idx / nx) as i64);
        let edge = (-1..=1)
            .any(|dj| (-1..=1).any(|di| (di != 0 || dj != 0) && grid.get(i + di, j + dj) != l));
        if edge {
            dist[idx] = 1;
            queue.push_back(idx);
        }
    }
    while let Some(c) = queue.pop_front() {
        let (i, j) = ((c % nx) as i64, (c / nx) as i64);
        for dj in -1..=1i64 {
            for di in -1..=1i64 {
                let (a, b) = (i + di, j + dj);
                if a < 0 || b < 0 || a >= nx as i64 || b >= ny as i64 {
                    continue;
                }
                let n = b as usize * nx + a as usize;
                if dist[n] == u32::MAX {
                    dist[n] = dist[c] + 1;
                    queue.push_back(n);
                }
            }
        }
    }
    dist
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&str]) -> LabelGrid {
        let ny = rows.len();
        let nx = rows[0].len();
        let mut g = LabelGrid::new(0, 0, 1, nx, ny);
        for (r, row) in rows.iter().enumerate() {
            let j = ny - 1 - r;
            for (i, ch) in row.chars().enumerate() {
                g.labels[j * nx + i] = match ch {
                    '.' => OUTSIDE,
                    c => c as u32 - 'a' as u32,
                };
            }
        }
        g
    }

    #[test]
    fn clean_merges_strays_and_pinches() {
        let mut g = grid(&[
            "......", //
            ".aab..", //
            ".abab.", //
            ".aabb.", //
            "......",
        ]);
        let stats = clean(&mut g, &[0, 0], &[]).unwrap();
        assert!(stats.strays + stats.pinches > 0);
        let (_, info) = components(&g);
        assert_eq!(info.len(), 2);
        assert_eq!(fix_pinches(&mut g, &|_| 0, &[false; 30]).unwrap(), 0);
    }

    #[test]
    fn clean_respects_parents() {
        // b and c share parent 1; the pinch of b across a (parent 0) must be
        // removed by moving c, never a.
        let mut g = grid(&[
            ".....", //
            ".ba..", //
            ".cb..", //
            ".cc..", //
            ".....",
        ]);
        let before: Vec<u32> = g.labels.clone();
        let stats = clean(&mut g, &[0, 1, 1], &[]).unwrap();
        assert!(stats.strays + stats.pinches > 0);
        for (b, a) in before.iter().zip(&g.labels) {
            if *b == 0 || *a == 0 {
                assert_eq!(b, a);
            }
        }
    }

    #[test]
    fn mask_is_filled_and_single() {
        let (nx, ny) = (7, 6);
        let rows = [
            ".......", //
            ".###...", //
            ".#.#.#.", //
            ".###...", //
            "....#..", //
            ".......",
        ];
        let mut m = vec![false; nx * ny];
        for (r, row) in rows.iter().enumerate() {
            for (i, ch) in row.chars().enumerate() {
                m[(ny - 1 - r) * nx + i] = ch == '#';
            }
        }
        clean_mask(&mut m, nx, ny);
        assert!(m[3 * nx + 2], "hole filled");
        assert!(!m[3 * nx + 5], "small piece dropped");
    }
}
