//! TEST ONLY: `repy` with walls 1 and 2 removed. Every program runs with the interpreter's
//! real builtins, `import` and no static checker, so that tests can prove the kernel walls
//! (confinement and the nanny) hold on their own. Built only with the `test-real-builtins`
//! feature, which a release build refuses.

fn main() -> std::process::ExitCode {
    repy_cli::main(repy_cli::Binary::TestRealBuiltins)
}
