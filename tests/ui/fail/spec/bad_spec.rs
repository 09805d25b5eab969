// Two spec errors in one run, both on the literal, each with the YAML file:line:col.
mod api {
    snapbi_macros::snap_api!("broken");
}

fn main() {}
