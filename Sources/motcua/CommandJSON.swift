import MotCuaJSON

/// A command's `--json` output: compact, keys in declaration order, UTF-8 text unescaped; the
/// project's one JSON writer (`MotCuaJSON`).
func commandJSON(_ value: some Encodable) -> String {
    (try? JSONWriter().string(value)) ?? "{}"
}
