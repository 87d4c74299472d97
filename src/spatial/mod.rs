//! Spatial: located points (children, homes) assigned to areas (DeSO), counted per
//! area, and turned into a CNI per child health centre (BVC) from its listing.
//!
//! * [`assign`](mod@assign) builds an [`AreaIndex`] over [`Boundaries`](crate::inputs::boundaries::Boundaries),
//!   assigns points read by [`inputs::points`](crate::inputs::points) to exactly one
//!   area or none by a documented edge rule, counts them per area, and computes
//!   [`cni_by_listing`].
//!
//! ```
//! use careneed::inputs::boundaries::{parse_boundaries, BoundaryOptions};
//! use careneed::inputs::points::parse_points;
//! use careneed::spatial::{assign_checked, AreaIndex};
//! let geojson = br#"{"type":"FeatureCollection","features":[
//!   {"type":"Feature","properties":{"code":"X"},"geometry":{"type":"Polygon","coordinates":
//!     [[[17,60],[18,60],[18,61],[17,61],[17,60]]]}}]}"#;
//! let (areas, _) = parse_boundaries("x.geojson", geojson, &BoundaryOptions::default()).unwrap();
//! let (mut points, _) = parse_points("p.csv", b"lon,lat\n17.5,60.5\n19,60\n", "lon", "lat").unwrap();
//! points.declare_crs(areas.crs).unwrap();
//! let assignment = assign_checked(&AreaIndex::new(&areas), &points).unwrap();
//! assert_eq!(assignment.counts, [1]);
//! assert_eq!(assignment.outside, [3]);
//! ```

pub mod assign;
pub mod catchments;
pub mod interpolate;
mod locate;
mod overlap;

pub use assign::{
    AreaIndex, Assignment, ListingCni, StreamAssignment, assign, assign_checked, assign_stream,
    cni_by_listing,
};
