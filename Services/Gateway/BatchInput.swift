import Detection
import Domain

/// One item of a batch that could not be scored: where it was and why.
struct BatchItemError: Sendable {
    /// 0-based index of a JSON item.
    var index: Int?
    /// 1-based line of a CSV row.
    var line: Int?
    var problems: [FieldProblem]
}

/// A batch body split into valid transactions (with their input positions) and item errors.
struct BatchInput: Sendable {
    /// Valid transactions and their 0-based input position.
    var items: [(position: Int, transaction: Transaction)] = []
    var errors: [BatchItemError] = []
    /// Items in the body, valid or not.
    var total = 0

    /// Parses a JSON array of transaction objects.
    static func json(_ bytes: [UInt8], maximumItems: Int) throws -> BatchInput {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw BatchInputError.malformed("\(error)")
        }
        guard case .array(let elements) = value else {
            throw BatchInputError.malformed("the body must be a JSON array of transactions, got \(value.typeName)")
        }
        guard elements.count <= maximumItems else { throw BatchInputError.tooManyItems(elements.count) }
        var input = BatchInput(total: elements.count)
        for (index, element) in elements.enumerated() {
            switch TransactionJSON.decode(element) {
            case .success(let t): input.items.append((index, t))
            case .failure(let problems): input.errors.append(BatchItemError(index: index, problems: problems.problems))
            }
        }
        return input
    }

    /// Parses a CSV body with a header row (SPEC §2); label columns are accepted and ignored.
    static func csv(_ bytes: [UInt8], maximumItems: Int) throws -> BatchInput {
        let reader: CSVTransactionReader
        do {
            reader = try CSVTransactionReader(bytes: bytes, name: "request body")
        } catch {
            throw BatchInputError.malformed("\(error)")
        }
        var input = BatchInput()
        do {
            while let row = try reader.next() {
                input.total += 1
                guard input.total <= maximumItems else { throw BatchInputError.tooManyItems(input.total) }
                switch row {
                case .success(let r): input.items.append((input.total - 1, r.transaction))
                case .failure(let e): input.errors.append(BatchItemError(line: e.line, problems: e.problems))
                }
            }
        } catch let error as BatchInputError {
            throw error
        } catch {
            throw BatchInputError.malformed("\(error)")
        }
        return input
    }
}

/// Why a batch body was refused as a whole.
enum BatchInputError: Error {
    case malformed(String)
    case tooManyItems(Int)
}
