/// Numbers keys in the order they are first seen (0, 1, 2, …): one hash per key looked up,
/// where a dictionary of groups would hash a key to test it, again to add it and again to use it.
struct FirstSeenNumbering<Key: Hashable> {
    /// The keys, in the order they were first seen: `keys[n]` is the key numbered `n`.
    private(set) var keys: [Key] = []
    private var numbers: [Key: Int]

    init(minimumCapacity: Int = 0) {
        numbers = [Key: Int](minimumCapacity: minimumCapacity)
    }

    /// The number of `key`, and whether this call gave it (the key was not seen before).
    mutating func number(of key: Key) -> (number: Int, isNew: Bool) {
        if let known = numbers[key] { return (known, false) }
        let number = keys.count
        numbers[key] = number
        keys.append(key)
        return (number, true)
    }
}
