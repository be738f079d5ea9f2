/// The narrow and the wide blocking's own groups (see
/// ``RecurrentProduct/Blocking``); the wide blocking's rests use the
/// standard groups.
extension RecurrentProduct {
    /// Rows `first` and `first + 1`, 16 columns at a time: two sums (also the
    /// standard blocking's last 16 columns of two rows).
    @inline(__always)
    func twoRowsNarrow(_ first: Int, _ columns: Range<Int>) {
        let (a0, a1) = (a[first], a[first + 1])
        let (y0, y1) = (y[first], y[first + 1])
        var column = columns.lowerBound
        while column < columns.upperBound {
            var s0 = initial(column)
            var s1 = s0
            let m = matrix + column * depth
            for e in 0..<depth {
                let w = loadVector(m + 16 * e)
                s0.addProduct(a0[e], w)
                s1.addProduct(a1[e], w)
            }
            storeVector(s0, y0 + column)
            storeVector(s1, y1 + column)
            column += 16
        }
    }

    /// One row, 32 columns at a time (then 16): two sums.
    @inline(__always)
    func oneRowNarrow(_ row: Int, _ columns: Range<Int>) {
        let (a0, y0) = (a[row], y[row])
        var column = columns.lowerBound
        while column + 32 <= columns.upperBound {
            var (s0, s1) = (initial(column), initial(column + 16))
            let (m0, m1) = (matrix + column * depth, matrix + (column + 16) * depth)
            for e in 0..<depth {
                let b = a0[e]
                s0.addProduct(b, loadVector(m0 + 16 * e))
                s1.addProduct(b, loadVector(m1 + 16 * e))
            }
            storeVector(s0, y0 + column)
            storeVector(s1, y0 + column + 16)
            column += 32
        }
        if column < columns.upperBound {
            var s0 = initial(column)
            let m = matrix + column * depth
            for e in 0..<depth { s0.addProduct(a0[e], loadVector(m + 16 * e)) }
            storeVector(s0, y0 + column)
        }
    }

    /// Rows `first` to `first + 3`, 32 columns at a time: eight sums; a last
    /// panel of 16 columns goes to ``fourRows(_:_:)``.
    @inline(__always)
    func fourRowsWide(_ first: Int, _ columns: Range<Int>) {
        let (a0, a1, a2, a3) = (a[first], a[first + 1], a[first + 2], a[first + 3])
        let (y0, y1, y2, y3) = (y[first], y[first + 1], y[first + 2], y[first + 3])
        var column = columns.lowerBound
        while column + 32 <= columns.upperBound {
            let (b0, b1) = (initial(column), initial(column + 16))
            var (s00, s01, s10, s11) = (b0, b1, b0, b1)
            var (s20, s21, s30, s31) = (b0, b1, b0, b1)
            let (m0, m1) = (matrix + column * depth, matrix + (column + 16) * depth)
            for e in 0..<depth {
                let (w0, w1) = (loadVector(m0 + 16 * e), loadVector(m1 + 16 * e))
                let (c0, c1, c2, c3) = (a0[e], a1[e], a2[e], a3[e])
                s00.addProduct(c0, w0)
                s01.addProduct(c0, w1)
                s10.addProduct(c1, w0)
                s11.addProduct(c1, w1)
                s20.addProduct(c2, w0)
                s21.addProduct(c2, w1)
                s30.addProduct(c3, w0)
                s31.addProduct(c3, w1)
            }
            storeVector(s00, y0 + column)
            storeVector(s01, y0 + column + 16)
            storeVector(s10, y1 + column)
            storeVector(s11, y1 + column + 16)
            storeVector(s20, y2 + column)
            storeVector(s21, y2 + column + 16)
            storeVector(s30, y3 + column)
            storeVector(s31, y3 + column + 16)
            column += 32
        }
        if column < columns.upperBound { fourRows(first, column..<columns.upperBound) }
    }
}
