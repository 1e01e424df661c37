// covet::detail::DeferredReferences: many INSERTs into one table, with the extension's per-row
// reference check (its covet_insert:<table> trigger) replaced by one check per relation over the
// distinct keys, when the INSERTs are done.
//
//   DeferredReferences references(db, "books", {"title", "author_id", ...}, describe_row);  // pauses triggers
//   for (row ...) { insert(row); for (c : references.columns()) references.note(c, value, row); }
//   references.finish();  // triggers back on; IntegrityError naming relation and key if one is missing
//
// Why: the trigger costs more than the INSERT it guards (bench W1: a trigger program and a
// statement journal for every INSERT, +64 % over a table without it), while after the INSERTs a
// run of consecutive integer keys costs one range count and other keys a lookup each. Triggers
// are paused on this connection only, and only when covet's are the table's only triggers (main
// and temp schema) and it has no REPLACE conflict clause, so no trigger is ever skipped that
// would have done something; otherwise, or when triggers are already off, nothing is paused and
// note()/finish() do nothing. The caller holds a transaction: a failed check rolls everything back.
#pragma once

#include <covet/database.hpp>
#include <covet/value.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace covet::detail {

class DeferredReferences {
public:
    // columns: the columns the INSERTs set, in the order note() numbers them; rows: how the
    // message names row n ("object 3 of Book's bulk_create").
    DeferredReferences(Database& db, const std::string& table, const std::vector<std::string>& columns,
                       std::function<std::string(std::size_t)> rows);
    ~DeferredReferences();
    DeferredReferences(const DeferredReferences&) = delete;
    DeferredReferences& operator=(const DeferredReferences&) = delete;

    // The columns (numbered as given) whose values note() needs: empty when nothing is paused.
    const std::vector<std::size_t>& columns() const noexcept { return noted_columns_; }
    // The value row number `row` (for the message) stored in `column`.
    void note(std::size_t column, const Value& value, std::size_t row);
    // Turns triggers back on, then checks every noted key: IntegrityError naming the relation, the
    // missing key and the first row that holds it.
    void finish();

private:
    struct Reference {
        std::string relation;  // its name in covet_relations
        std::string from_column, to_table, to_column;
        std::size_t column = 0;  // among the INSERTs' columns
        // Each distinct key and the first row that holds it: integers and text are checked in one
        // statement (a JSON array), real and blob keys (rare) one by one.
        std::unordered_map<std::int64_t, std::size_t> integers;
        std::unordered_map<std::string, std::size_t> texts;
        std::vector<std::pair<Value, std::size_t>> others;
    };
    void resume() noexcept;
    void check(const Reference& reference) const;
    // Whether every integer key first..last is there, counted in one statement (long runs only).
    bool all_present(const Reference& reference, std::int64_t first, std::int64_t last) const;
    [[noreturn]] void throw_missing(const Reference& reference, const Value& key, std::size_t row) const;

    Database& db_;
    std::string table_;
    std::function<std::string(std::size_t)> rows_;
    std::vector<Reference> references_;
    std::vector<std::size_t> noted_columns_;
    bool paused_ = false;
};

}  // namespace covet::detail
