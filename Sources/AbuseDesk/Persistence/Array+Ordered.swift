extension Array {
    /// These rows in the order of `ids` (as a page's ids were read from an index), each once; an id
    /// without a row is left out.
    func ordered(as ids: [String], by id: (Element) -> String?) -> [Element] {
        let byID = Dictionary(compactMap { row in id(row).map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }
}
