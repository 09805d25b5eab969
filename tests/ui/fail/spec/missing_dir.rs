// A path that does not exist is a clear error on the literal, not a panic.
mod api {
    snapbi_macros::snap_api!("does/not/exist");
}

fn main() {}
