/// Writes a double exactly as ECMAScript's `Number.prototype.toString` does, which is the
/// number form RFC 8785 §3.2.2.3 prescribes.
///
/// The digits come from Swift's `Double.description`, which prints the shortest digit string
/// that round-trips (and, among those, the closest to the value): the digits ECMAScript asks
/// for. Only the layout differs, so this re-lays them out: plain notation for decimal
/// exponents from -6 to 21, `1e+21` / `1e-7` style beyond, no `.0`, and `-0` as `0`.
/// Checked against 25,000 vectors from an ECMAScript engine. Stateless.
enum ECMAScriptNumberFormatter {
    /// Appends the ECMAScript text of `value`, which must be finite.
    static func append(_ value: Double, to out: inout [UInt8]) {
        precondition(value.isFinite, "JSON numbers are finite")
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var text = value.magnitude.description
        text.withUTF8 { text in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count) { digits in
                let (count, integerDigits, exponent) = splitDescription(text, digits: digits)
                // value = 0.d₁d₂…dₖ × 10ⁿ once leading and trailing zeros are dropped.
                var n = integerDigits + exponent
                var first = 0
                while first < count && digits[first] == UInt8(ascii: "0") {
                    first += 1
                    n -= 1
                }
                var end = count
                while end > first && digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
                layOut(UnsafeBufferPointer(rebasing: digits[first..<end]), decimalExponent: n, to: &out)
            }
        }
    }

    /// Splits Swift's `"123.45"` / `"1.2345e-05"` into its digits (written to `digits`), the
    /// count of digits before the point, and the exponent after `e`.
    private static func splitDescription(
        _ text: UnsafeBufferPointer<UInt8>, digits: UnsafeMutableBufferPointer<UInt8>
    ) -> (count: Int, integerDigits: Int, exponent: Int) {
        var count = 0
        var integerDigits = 0
        var seenPoint = false
        var exponent = 0
        var index = 0
        while index < text.count {
            let c = text[index]
            index += 1
            if c == UInt8(ascii: ".") {
                seenPoint = true
            } else if c == UInt8(ascii: "e") {
                var negative = false
                if index < text.count && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
                    negative = text[index] == UInt8(ascii: "-")
                    index += 1
                }
                while index < text.count {
                    exponent = exponent * 10 + Int(text[index] - UInt8(ascii: "0"))
                    index += 1
                }
                if negative { exponent = -exponent }
            } else {
                digits[count] = c
                count += 1
                if !seenPoint { integerDigits += 1 }
            }
        }
        return (count, integerDigits, exponent)
    }

    /// ECMA-262 Number::toString steps 6–10 for digits d₁…dₖ (k ≥ 1) and exponent n.
    private static func layOut(_ digits: UnsafeBufferPointer<UInt8>, decimalExponent n: Int, to out: inout [UInt8]) {
        let k = digits.count
        let zero = UInt8(ascii: "0")
        if k <= n && n <= 21 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(zero, count: n - k))
        } else if 0 < n && n <= 21 {
            out.append(contentsOf: digits[0..<n])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            out.append(zero)
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(zero, count: -n))
            out.append(contentsOf: digits)
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(n - 1 < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            out.append(contentsOf: String((n - 1).magnitude).utf8)
        }
    }
}
