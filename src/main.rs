fn main() {
    println!("c2goasm-rs: under construction");
}
