fn main() {
    snapbi_build::generate("specs");
}
