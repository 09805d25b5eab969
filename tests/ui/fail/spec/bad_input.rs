// Anything but one string literal is a usage error on the input.
mod ident {
    snapbi_macros::snap_api!(specs);
}

mod two {
    snapbi_macros::snap_api!("specs", "more");
}

mod empty {
    snapbi_macros::snap_api!();
}

fn main() {}
