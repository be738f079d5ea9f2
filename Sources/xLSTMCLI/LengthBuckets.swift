import xLSTM

/// `lengths` split into `count` buckets of (nearly) equal width, in order.
func lengthBuckets(_ lengths: ClosedRange<Int>, count: Int) -> [ClosedRange<Int>] {
    (0..<count).map { bucket in
        (lengths.lowerBound + lengths.count * bucket / count)...(lengths.lowerBound + lengths.count * (bucket + 1) / count - 1)
    }
}

/// The accuracy of `model` on `strings` fresh strings of `task` with lengths in `lengths`.
func testAccuracy(
    of model: SequenceClassifier<Float>, on task: any FormalTask, lengths: ClosedRange<Int>, strings: Int,
    using generator: inout Xoshiro256
) throws -> Double {
    let test = try task.with(lengths: lengths)
    var correct = 0
    var remaining = strings
    while remaining > 0 {
        let batch = test.batch(count: min(64, remaining), using: &generator)
        correct += withoutGradients { correctCount(model(batch), batch.labels) }
        remaining -= batch.count
    }
    return Double(correct) / Double(strings)
}
