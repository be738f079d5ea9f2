import xLSTMNN
import xLSTMTensor

/// The recurrent product of one head for a few batch rows at once, a small
/// matrix product written as a SIMD micro-kernel:
///
///     y_r[0 ..< width] = start + sum over e < depth of a_r[e] * M[e * width ..< (e + 1) * width]
///
/// for rows r of a group. Forward: a_r = h_{t-1} (d), M = R_k^T (d, 4dp),
/// start = the bias, y_r = R_k h_{t-1} + b (4dp). Backward: a_r = dg~
/// (4dp), M = R_k (4dp, dp), start = 0, y_r = dh_{t-1} (dp).
///
/// y is meant to be a small buffer that stays in the L1 cache: writing onto
/// the input projection in place (a large buffer, in L3 by then) exposed a
/// cache miss at the start of every block of columns.
///
/// Rows are taken four, two or one at a time; each load of M serves every
/// row of the group. Block sizes keep the accumulators in registers on
/// AVX2 (16 ymm registers): 4 rows x 16 lanes, 2 x 32, or 1 x 64.
///
/// M is stored in panels of 16 columns, each panel (depth, 16) contiguous
/// (see ``panelIndex(row:column:depth:)``): a pass over one block of columns
/// then streams through consecutive memory. With M row-major the same pass
/// strides by a whole row, and once M outgrows the L1 cache (d = 128 or
/// more) the kernel ran at half the speed.
struct RecurrentProduct {
    /// Row r's a_r and y_r, for `count` rows.
    let a: UnsafePointer<UnsafePointer<Float>>
    let y: UnsafePointer<UnsafeMutablePointer<Float>>
    let count: Int
    /// M, (depth, width) in panels, width a multiple of 16.
    let matrix: UnsafePointer<Float>
    let depth: Int
    let width: Int
    /// (width) where every row's sum starts, or `nil` for 0.
    var start: UnsafePointer<Float>? = nil

    /// Where M[row][column] lives in the panel layout.
    @inline(__always)
    static func panelIndex(row: Int, column: Int, depth: Int) -> Int {
        (column / 16) * depth * 16 + row * 16 + column % 16
    }

    @inline(__always)
    private func initial(_ column: Int) -> SIMD16<Float> {
        start.map { loadVector($0 + column) } ?? SIMD16(repeating: 0)
    }

    @inline(never)
    func run() {
        var row = 0
        while row + 4 <= count {
            fourRows(row)
            row += 4
        }
        if row + 2 <= count {
            twoRows(row)
            row += 2
        }
        if row < count { oneRow(row) }
    }

    @inline(__always)
    private func fourRows(_ first: Int) {
        let (a0, a1, a2, a3) = (a[first], a[first + 1], a[first + 2], a[first + 3])
        let (y0, y1, y2, y3) = (y[first], y[first + 1], y[first + 2], y[first + 3])
        var column = 0
        while column < width {
            let b = initial(column)
            var (s0, s1, s2, s3) = (b, b, b, b)
            let m = matrix + column * depth
            for e in 0..<depth {
                let w = loadVector(m + 16 * e)
                s0 += a0[e] * w
                s1 += a1[e] * w
                s2 += a2[e] * w
                s3 += a3[e] * w
            }
            storeVector(s0, y0 + column)
            storeVector(s1, y1 + column)
            storeVector(s2, y2 + column)
            storeVector(s3, y3 + column)
            column += 16
        }
    }

    @inline(__always)
    private func twoRows(_ first: Int) {
        let (a0, a1) = (a[first], a[first + 1])
        let (y0, y1) = (y[first], y[first + 1])
        var column = 0
        while column + 32 <= width {
            var (s00, s01) = (initial(column), initial(column + 16))
            var (s10, s11) = (s00, s01)
            let (m0, m1) = (matrix + column * depth, matrix + (column + 16) * depth)
            for e in 0..<depth {
                let (w0, w1) = (loadVector(m0 + 16 * e), loadVector(m1 + 16 * e))
                let (b0, b1) = (a0[e], a1[e])
                s00 += b0 * w0
                s01 += b0 * w1
                s10 += b1 * w0
                s11 += b1 * w1
            }
            storeVector(s00, y0 + column)
            storeVector(s01, y0 + column + 16)
            storeVector(s10, y1 + column)
            storeVector(s11, y1 + column + 16)
            column += 32
        }
        if column < width {
            var s0 = initial(column)
            var s1 = s0
            let m = matrix + column * depth
            for e in 0..<depth {
                let w = loadVector(m + 16 * e)
                s0 += a0[e] * w
                s1 += a1[e] * w
            }
            storeVector(s0, y0 + column)
            storeVector(s1, y1 + column)
        }
    }

    @inline(__always)
    private func oneRow(_ row: Int) {
        let (a0, y0) = (a[row], y[row])
        var column = 0
        while column + 64 <= width {
            var (s0, s1) = (initial(column), initial(column + 16))
            var (s2, s3) = (initial(column + 32), initial(column + 48))
            let m = matrix + column * depth
            let panel = 16 * depth
            for e in 0..<depth {
                let b = a0[e]
                s0 += b * loadVector(m + 16 * e)
                s1 += b * loadVector(m + panel + 16 * e)
                s2 += b * loadVector(m + 2 * panel + 16 * e)
                s3 += b * loadVector(m + 3 * panel + 16 * e)
            }
            storeVector(s0, y0 + column)
            storeVector(s1, y0 + column + 16)
            storeVector(s2, y0 + column + 32)
            storeVector(s3, y0 + column + 48)
            column += 64
        }
        // Narrower rests: with fewer columns there are fewer independent sums than
        // the add latency needs, so even and odd e go to separate accumulators.
        if column + 32 <= width {
            var (s0, s1) = (initial(column), initial(column + 16))
            var (t0, t1) = (SIMD16<Float>(repeating: 0), SIMD16<Float>(repeating: 0))
            let (m0, m1) = (matrix + column * depth, matrix + (column + 16) * depth)
            var e = 0
            while e + 2 <= depth {
                let (b, c) = (a0[e], a0[e + 1])
                s0 += b * loadVector(m0 + 16 * e)
                s1 += b * loadVector(m1 + 16 * e)
                t0 += c * loadVector(m0 + 16 * e + 16)
                t1 += c * loadVector(m1 + 16 * e + 16)
                e += 2
            }
            if e < depth {
                s0 += a0[e] * loadVector(m0 + 16 * e)
                s1 += a0[e] * loadVector(m1 + 16 * e)
            }
            storeVector(s0 + t0, y0 + column)
            storeVector(s1 + t1, y0 + column + 16)
            column += 32
        }
        if column < width {
            var (s0, s1) = (initial(column), SIMD16<Float>(repeating: 0))
            let m = matrix + column * depth
            var e = 0
            while e + 2 <= depth {
                s0 += a0[e] * loadVector(m + 16 * e)
                s1 += a0[e + 1] * loadVector(m + 16 * e + 16)
                e += 2
            }
            if e < depth { s0 += a0[e] * loadVector(m + 16 * e) }
            storeVector(s0 + s1, y0 + column)
        }
    }
}

/// 16 Floats from `pointer` (any alignment).
@inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func loadVector(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

/// Stores 16 Floats at `pointer` (any alignment).
@inline(__always)
func storeVector(_ vector: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD16<Float>.self)
}

/// Stores the first `count` (1...16) lanes of `vector` at `pointer`.
@inline(__always)
func storeVector(_ vector: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
    if count == 16 {
        storeVector(vector, pointer)
    } else {
        for lane in 0..<count { pointer[lane] = vector[lane] }
    }
}
