/// The standard blocking's groups (see ``RecurrentProduct/Blocking``).
extension RecurrentProduct {
    @inline(__always)
    func fourRows(_ first: Int, _ columns: Range<Int>) {
        let (a0, a1, a2, a3) = (a[first], a[first + 1], a[first + 2], a[first + 3])
        let (y0, y1, y2, y3) = (y[first], y[first + 1], y[first + 2], y[first + 3])
        var column = columns.lowerBound
        while column < columns.upperBound {
            let b = initial(column)
            var (s0, s1, s2, s3) = (b, b, b, b)
            let m = matrix + column * depth
            for e in 0..<depth {
                let w = loadVector(m + 16 * e)
                s0.addProduct(a0[e], w)
                s1.addProduct(a1[e], w)
                s2.addProduct(a2[e], w)
                s3.addProduct(a3[e], w)
            }
            storeVector(s0, y0 + column)
            storeVector(s1, y1 + column)
            storeVector(s2, y2 + column)
            storeVector(s3, y3 + column)
            column += 16
        }
    }

    @inline(__always)
    func twoRows(_ first: Int, _ columns: Range<Int>) {
        let (a0, a1) = (a[first], a[first + 1])
        let (y0, y1) = (y[first], y[first + 1])
        var column = columns.lowerBound
        while column + 32 <= columns.upperBound {
            var (s00, s01) = (initial(column), initial(column + 16))
            var (s10, s11) = (s00, s01)
            let (m0, m1) = (matrix + column * depth, matrix + (column + 16) * depth)
            for e in 0..<depth {
                let (w0, w1) = (loadVector(m0 + 16 * e), loadVector(m1 + 16 * e))
                let (b0, b1) = (a0[e], a1[e])
                s00.addProduct(b0, w0)
                s01.addProduct(b0, w1)
                s10.addProduct(b1, w0)
                s11.addProduct(b1, w1)
            }
            storeVector(s00, y0 + column)
            storeVector(s01, y0 + column + 16)
            storeVector(s10, y1 + column)
            storeVector(s11, y1 + column + 16)
            column += 32
        }
        if column < columns.upperBound { twoRowsNarrow(first, column..<columns.upperBound) }
    }

    @inline(__always)
    func oneRow(_ row: Int, _ columns: Range<Int>) {
        let (a0, y0) = (a[row], y[row])
        var column = columns.lowerBound
        while column + 64 <= columns.upperBound {
            var (s0, s1) = (initial(column), initial(column + 16))
            var (s2, s3) = (initial(column + 32), initial(column + 48))
            let m = matrix + column * depth
            let panel = 16 * depth
            for e in 0..<depth {
                let b = a0[e]
                s0.addProduct(b, loadVector(m + 16 * e))
                s1.addProduct(b, loadVector(m + panel + 16 * e))
                s2.addProduct(b, loadVector(m + 2 * panel + 16 * e))
                s3.addProduct(b, loadVector(m + 3 * panel + 16 * e))
            }
            storeVector(s0, y0 + column)
            storeVector(s1, y0 + column + 16)
            storeVector(s2, y0 + column + 32)
            storeVector(s3, y0 + column + 48)
            column += 64
        }
        // Narrower rests: with fewer columns there are fewer independent sums than
        // the add latency needs, so even and odd e go to separate accumulators.
        if column + 32 <= columns.upperBound {
            var (s0, s1) = (initial(column), initial(column + 16))
            var (t0, t1) = (SIMD16<Float>(repeating: 0), SIMD16<Float>(repeating: 0))
            let (m0, m1) = (matrix + column * depth, matrix + (column + 16) * depth)
            var e = 0
            while e + 2 <= depth {
                let (b, c) = (a0[e], a0[e + 1])
                s0.addProduct(b, loadVector(m0 + 16 * e))
                s1.addProduct(b, loadVector(m1 + 16 * e))
                t0.addProduct(c, loadVector(m0 + 16 * e + 16))
                t1.addProduct(c, loadVector(m1 + 16 * e + 16))
                e += 2
            }
            if e < depth {
                s0.addProduct(a0[e], loadVector(m0 + 16 * e))
                s1.addProduct(a0[e], loadVector(m1 + 16 * e))
            }
            storeVector(s0 + t0, y0 + column)
            storeVector(s1 + t1, y0 + column + 16)
            column += 32
        }
        if column < columns.upperBound {
            var (s0, s1) = (initial(column), SIMD16<Float>(repeating: 0))
            let m = matrix + column * depth
            var e = 0
            while e + 2 <= depth {
                s0.addProduct(a0[e], loadVector(m + 16 * e))
                s1.addProduct(a0[e + 1], loadVector(m + 16 * e + 16))
                e += 2
            }
            if e < depth { s0.addProduct(a0[e], loadVector(m + 16 * e)) }
            storeVector(s0 + s1, y0 + column)
        }
    }
}
