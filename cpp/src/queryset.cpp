// The non-template half of QuerySet<T> (queryset.hpp): printing and running its statements,
// covet_delete() and its JSON result, first/last/get queries and their error messages.
#include <covet/queryset.hpp>

#include <covet/crud.hpp>
#include <covet/registry.hpp>
#include <covet/sql_printer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <utility>

namespace covet {

std::map<std::string, std::int64_t> DeleteResult::per_model(Database& db) const {
    std::map<std::string, std::int64_t> out;
    for (const auto& [table, n] : per_table) {
        const ModelInfo* model = find_model(db, table);
        out[model ? model->name : table] += n;
    }
    return out;
}

}  // namespace covet

namespace covet::detail {

namespace {

[[noreturn]] void bad_delete_result(std::string_view json, std::string_view why) {
    throw Error(fmt::format("covet: unexpected result of covet_delete() ({}): {}", why, json));
}

// A reader for the one JSON shape covet_delete() returns.
class DeleteResultParser {
public:
    explicit DeleteResultParser(std::string_view json) : json_(json) {}

    DeleteResult parse() {
        DeleteResult result;
        bool total = false;
        expect('{');
        object([&](std::string key) {
            if (key == "total") {
                result.total = integer();
                total = true;
            } else if (key == "per_table") {
                expect('{');
                object([&](std::string table) { result.per_table[std::move(table)] = integer(); });
            } else {
                fail("unknown key '" + key + "'");
            }
        });
        skip_space();
        if (pos_ != json_.size()) fail("trailing text");
        if (!total) fail("no total");
        return result;
    }

private:
    [[noreturn]] void fail(std::string_view why) const { bad_delete_result(json_, why); }

    void skip_space() {
        while (pos_ < json_.size() && std::isspace(static_cast<unsigned char>(json_[pos_]))) ++pos_;
    }
    bool accept(char c) {
        skip_space();
        if (pos_ < json_.size() && json_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!accept(c)) fail(fmt::format("expected '{}' at {}", c, pos_));
    }

    // The members of an object whose '{' has been read, up to its '}'.
    template <class F>
    void object(F member) {
        if (accept('}')) return;
        do {
            std::string key = string();
            expect(':');
            member(std::move(key));
        } while (accept(','));
        expect('}');
    }

    std::int64_t integer() {
        skip_space();
        const std::size_t start = pos_;
        if (pos_ < json_.size() && json_[pos_] == '-') ++pos_;
        std::int64_t value = 0;
        while (pos_ < json_.size() && std::isdigit(static_cast<unsigned char>(json_[pos_])))
            value = value * 10 + (json_[pos_++] - '0');
        if (pos_ == start || (pos_ == start + 1 && json_[start] == '-')) fail("expected a number");
        return json_[start] == '-' ? -value : value;
    }

    unsigned hex4() {
        if (pos_ + 4 > json_.size()) fail("truncated \\u escape");
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = json_[pos_++];
            code <<= 4;
            if (c >= '0' && c <= '9') code |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') code |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') code |= static_cast<unsigned>(c - 'A' + 10);
            else fail("bad \\u escape");
        }
        return code;
    }

    static void append_utf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (pos_ >= json_.size()) fail("unterminated string");
            const char c = json_[pos_++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= json_.size()) fail("unterminated string");
            switch (const char e = json_[pos_++]) {
                case '"':
                case '\\':
                case '/': out += e; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned code = hex4();
                    if (code >= 0xD800 && code < 0xDC00 && json_.substr(pos_, 2) == "\\u") {
                        pos_ += 2;
                        const unsigned low = hex4();
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(out, code);
                    break;
                }
                default: fail("bad escape");
            }
        }
    }

    std::string_view json_;
    std::size_t pos_ = 0;
};

std::string describe_values(const Condition& c) {
    std::string out;
    for (const Value& v : c.values) {
        if (!out.empty()) out += ", ";
        out += covet::describe(v);
    }
    return out;
}

std::string describe_node(const Filter& f, bool nested) {
    switch (f.kind()) {
        case Filter::Kind::Condition: {
            const Condition& c = f.condition();
            if (c.lookup == Lookup::In) return fmt::format("{}=[{}]", c.expression(), describe_values(c));
            if (c.lookup == Lookup::Range) return fmt::format("{}=({})", c.expression(), describe_values(c));
            if (c.lookup == Lookup::IsNull)
                return fmt::format("{}={}", c.expression(), std::get<std::int64_t>(c.values[0]) ? "true" : "false");
            return fmt::format("{}={}", c.expression(), describe_values(c));
        }
        case Filter::Kind::Not: return "NOT (" + describe_node(f.children()[0], false) + ")";
        case Filter::Kind::And:
        case Filter::Kind::Or: {
            const char* op = f.kind() == Filter::Kind::And ? " AND " : " OR ";
            std::string out;
            for (const Filter& child : f.children()) {
                if (!out.empty()) out += op;
                out += describe_node(child, true);
            }
            return nested ? "(" + out + ")" : out;
        }
    }
    return {};
}

Error::Details details_of(const Query& query) {
    Error::Details d;
    d.model = query.model().name;
    return d;
}

std::string matching(const Query& query) {
    return query.where() ? " (" + describe_filter(*query.where()) + ")" : std::string();
}

}  // namespace

std::string describe_filter(const Filter& filter) { return describe_node(filter, false); }

DeleteResult delete_result_from_json(std::string_view json) { return DeleteResultParser(json).parse(); }

Cursor open_select(Database& db, const Query& query) {
    const Sql sql = print_select(query);
    return db.query(sql.text, sql.params);
}

std::int64_t run_count(Database& db, const Query& query) {
    const Sql sql = print_count(query);
    const Value v = db.query_value(sql.text, sql.params);
    return std::get<std::int64_t>(v);
}

bool run_exists(Database& db, const Query& query) {
    const Sql sql = print_exists(query);
    Cursor cursor = db.query(sql.text, sql.params);
    const bool found = cursor.next();
    cursor.close();
    return found;
}

std::int64_t run_update(Database& db, const Query& query, std::vector<Assignment> assignments) {
    const Sql sql = print_update(query.update(std::move(assignments)));
    return db.execute(sql.text, sql.params);
}

DeleteResult run_delete(Database& db, const Query& query) {
    (void)query.delete_();  // refuses sliced, distinct and values()/aggregate() sets
    const ModelInfo& model = query.model();
    const Column& pk = model.columns.at(model.primary_key);
    // The keys are collected by a subquery of the same statement: covet_delete() must be a
    // statement of its own, and it computes the whole deletion set over all of them at once.
    Sql keys = print_select(query.order_by({}).values({pk.field}));
    const std::string text =
        fmt::format("SELECT covet_delete(?{}, (SELECT json_group_array({}) FROM ({})))", keys.params.size() + 1,
                    quote_identifier(pk.name), keys.text);
    keys.params.emplace_back(model.table);
    Value result;
    try {
        result = db.query_value(text, keys.params);
    } catch (const IntegrityError& error) {
        // The keys again, for the list of the objects that block the delete.
        keys.params.pop_back();
        const Value json = db.query_value(
            fmt::format("SELECT json_group_array({}) FROM ({})", quote_identifier(pk.name), keys.text), keys.params);
        throw_delete_refused(db, model, error, json);
    }
    const auto* json = std::get_if<std::string>(&result);
    if (!json) bad_delete_result(covet::describe(result), "not text");
    return delete_result_from_json(*json);
}

std::vector<Value> run_aggregate(Database& db, const Query& query, std::vector<Aggregate> aggregates) {
    const Query q = query.aggregate(std::move(aggregates));
    const Sql sql = print_select(q);
    Cursor cursor = db.query(sql.text, sql.params);
    std::vector<Value> row;
    if (cursor.next()) {
        const int n = cursor.row().size();
        row.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) row.push_back(cursor.row().value(i));
        cursor.close();
    }
    row.resize(q.aggregates().size());  // no row (an empty slice): NULLs
    return row;
}

Query reversed(const Query& query) {
    std::vector<std::string> terms;
    for (const std::string& term : query.ordering()) {
        if (term == "?") terms.push_back(term);
        else if (term.starts_with('-')) terms.push_back(term.substr(1));
        else terms.push_back("-" + term);
    }
    return query.order_by(std::move(terms));
}

namespace {
// The ordering first()/last() use for an unordered query: the primary key (Django), or the
// grouped fields of a values().annotate() query (the primary key is not one of its columns).
std::vector<std::string> default_order(const Query& query, bool descending) {
    std::vector<std::string> terms;
    const std::string prefix = descending ? "-" : "";
    if (query.is_grouped()) {
        for (const std::string& f : query.value_fields()) terms.push_back(prefix + f);
    } else {
        terms.push_back(prefix + "pk");
    }
    return terms;
}
}  // namespace

Query first_query(const Query& query) {
    const Query ordered =
        query.ordering().empty() && !query.is_sliced() ? query.order_by(default_order(query, false)) : query;
    return ordered.slice(0, 1);
}

Query last_query(const Query& query) {
    const Query ordered = query.ordering().empty() ? query.order_by(default_order(query, true)) : reversed(query);
    return ordered.slice(0, 1);
}

Query get_query(const Query& query) {
    const Query unordered = query.is_sliced() ? query : query.order_by({});
    return unordered.slice(0, max_get_results);
}

void throw_query_does_not_exist(const Query& query) {
    throw DoesNotExist(
        fmt::format("covet: {} matching query does not exist{}", query.model().name, matching(query)),
        details_of(query));
}

void throw_query_multiple(const Query& query, std::int64_t found) {
    const std::string count =
        found >= max_get_results ? fmt::format("more than {}", max_get_results - 1) : std::to_string(found);
    throw MultipleObjectsReturned(fmt::format("covet: get() returned more than one {} -- it returned {}!{}",
                                              query.model().name, count, matching(query)),
                                  details_of(query));
}

// ---------------------------------------------------------------------------------------------
// Reading objects: select_related and the relation members

ModelReader::ModelReader(Database& db, const Query& query)
    : model_(&query.model()), hops_(select_related_plan(query)), first_column_(query.selects_source() ? 1 : 0) {
    const DatabaseRef ref = db.ref();
    const std::uint64_t origin = db.next_origin();
    from_.reserve(hops_.size() + 1);
    from_.push_back(provenances(ref, *model_, origin));
    for (const SelectedRelation& hop : hops_) from_.push_back(provenances(ref, *hop.link.to, origin));
}

void ModelReader::read(sqlite3_stmt* stmt, void* object) const {
    read_row(model_->ops, object, stmt, first_column_);
    attach_relations(*model_, object, from_[0]);
    if (hops_.empty()) return;
    // The object each hop was read into (nullptr: none, so neither are the hops that follow it);
    // on the stack for the usual few hops: this runs once per row.
    void* few[8];
    std::vector<void*> many;
    void** objects = few;
    if (hops_.size() > std::size(few)) {
        many.resize(hops_.size());
        objects = many.data();
    }
    for (std::size_t i = 0; i < hops_.size(); ++i) {
        const SelectedRelation& hop = hops_[i];
        objects[i] = nullptr;
        void* parent = hop.parent == SelectedRelation::root ? object : objects[hop.parent];
        if (parent == nullptr) continue;
        const ModelInfo& from = *hop.link.from;
        const ModelInfo& to = *hop.link.to;
        const RelationField& field = from.ops.relations[hop.member];
        void* member = field.at(parent);
        if (sqlite3_column_type(stmt, hop.first_column + static_cast<int>(to.primary_key)) == SQLITE_NULL) {
            field.ops->set_none(member);  // no related row (NULL key, or none on the reverse side)
            continue;
        }
        void* related = field.ops->fill_one(member);
        read_row(to.ops, related, stmt, hop.first_column);
        attach_relations(to, related, from_[i + 1]);
        objects[i] = related;
    }
}

// ---------------------------------------------------------------------------------------------
// prefetch_related

namespace {

// The parents of a prefetch by key, in the order they came, for dealing each row of the prefetch
// query out by its source key. Integer keys (the common case) in an open-addressing table sized
// once for all the parents: no allocation per parent, no rehash, no division per lookup. Other
// keys by their text form. Parents sharing a key are chained, in order.
class ParentIndex {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

    explicit ParentIndex(std::size_t parents)
        : slots_(table_size(parents), none), shift_(64 - std::countr_zero(slots_.size())) {
        parents_.reserve(parents);
        next_.reserve(parents);
    }

    void add(const Value& key, void* parent) {
        const auto index = static_cast<std::uint32_t>(parents_.size());
        parents_.push_back(parent);
        next_.push_back(none);
        Chain& chain = chain_of(key);
        if (chain.first == none) chain.first = index;
        else next_[chain.last] = index;
        chain.last = index;
    }

    // The first parent (an index for parent() and next()) of the source key in `column` of the
    // current row; none when no parent has it. The statement is a covet Database's (one thread,
    // no mutex): its value may be read unprotected (model_info.cpp, read_integer).
    std::uint32_t find(sqlite3_stmt* stmt, int column) {
        sqlite3_value* cell = sqlite3_column_value(stmt, column);
        switch (sqlite3_value_type(cell)) {
            case SQLITE_INTEGER: return find_integer(sqlite3_value_int64(cell));
            case SQLITE_FLOAT: return find_other(Value{sqlite3_value_double(cell)});
            case SQLITE_TEXT:
                return find_other(Value{std::string(reinterpret_cast<const char*>(sqlite3_value_text(cell)),
                                                    static_cast<std::size_t>(sqlite3_value_bytes(cell)))});
            default: return none;
        }
    }
    void* parent(std::uint32_t index) const { return parents_[index]; }
    std::uint32_t next(std::uint32_t index) const { return next_[index]; }

    // The distinct keys as a JSON array, in the order the parents came (the query's): SQLite builds
    // the IN list of the prefetch query from them, and an ordered list (the usual, by primary key)
    // is the cheap one.
    std::string keys_json() const {
        // Written in place: each integer key takes at most 20 characters and a comma.
        std::string out(1 + 21 * keys_.size(), '[');
        char* end = out.data() + 1;
        for (std::int64_t key : keys_) {
            if (end != out.data() + 1) *end++ = ',';
            end = std::to_chars(end, end + 20, key).ptr;
        }
        out.resize(static_cast<std::size_t>(end - out.data()));
        if (!others_.empty()) {
            std::vector<Value> keys;
            for (const auto& entry : others_) keys.push_back(entry.second.first);
            const std::string rest = detail::keys_json(keys);  // "[...]"
            if (out.size() > 1) out += ',';
            out.append(rest, 1, rest.size() - 2);
        }
        return out + "]";
    }

private:
    struct Chain {
        std::uint32_t first = none, last = none;
    };

    // A power of two at least twice the keys: short probe sequences.
    static std::size_t table_size(std::size_t parents) { return std::bit_ceil(std::max<std::size_t>(16, 2 * parents)); }
    std::size_t home(std::int64_t key) const {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    // The slot holding key's position in keys_, or the empty slot where it belongs.
    std::uint32_t& slot_of(std::int64_t key) {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t s = home(key);; s = (s + 1) & mask) {
            if (slots_[s] == none || keys_[slots_[s]] == key) return slots_[s];
        }
    }

    Chain& chain_of(const Value& key) {
        if (const auto* i = std::get_if<std::int64_t>(&key)) {
            std::uint32_t& slot = slot_of(*i);
            if (slot == none) {
                slot = static_cast<std::uint32_t>(keys_.size());
                keys_.push_back(*i);
                chains_.emplace_back();
            }
            return chains_[slot];
        }
        auto& entry = others_[covet::describe(key)];
        entry.first = key;
        return entry.second;
    }
    // The rows come grouped by source key, in the order SQLite searches the keys (its IN list is
    // sorted, as the parents' keys usually are): the key of the row before, or the one after it,
    // is the usual answer, found without hashing.
    std::uint32_t find_integer(std::int64_t key) {
        if (!holds(recent_, key)) recent_ = holds(recent_ + 1, key) ? recent_ + 1 : slot_of(key);
        return recent_ == none ? none : chains_[recent_].first;
    }
    bool holds(std::uint32_t position, std::int64_t key) const {
        return position < keys_.size() && keys_[position] == key;
    }
    std::uint32_t find_other(const Value& key) const {
        auto it = others_.find(covet::describe(key));
        return it == others_.end() ? none : it->second.second.first;
    }

    std::vector<std::uint32_t> slots_;  // positions in keys_, none: empty
    int shift_;
    std::vector<std::int64_t> keys_;  // the distinct integer keys, first seen first
    std::vector<Chain> chains_;       // the parents of each of keys_
    std::uint32_t recent_ = none;     // the position in keys_ found last
    std::map<std::string, std::pair<Value, Chain>> others_;  // by describe(key)
    std::vector<void*> parents_;
    std::vector<std::uint32_t> next_;  // the next parent with the same key
};

// How much room a parent's list of prefetched objects starts with: the mean so far, rounded up. The
// rows come grouped by parent, so a list grows at most once instead of about log2(n) times, moving
// its objects each time (W4: 100 books per author), and lists of equal sizes (W3: 3 categories per
// book) take no room they do not use.
class ListSizes {
public:
    // The room for a list that holds `size` objects before this one.
    std::size_t next(std::size_t size) {
        ++objects_;
        if (size != 0) return 0;  // not asked: the list has room or grows by itself
        ++lists_;
        if (lists_ == 1) return first;
        const std::size_t before = objects_ - 1, lists_before = lists_ - 1;  // each list has an object or more
        return (before + lists_before - 1) / lists_before;
    }

private:
    static constexpr std::size_t first = 4;  // a few related objects: one allocation, not three
    std::size_t objects_ = 0, lists_ = 0;
};

// The member of `model` that caches a prefetched relation: the relation's own member, a declared
// reverse side, or the to_attr list.
std::size_t caching_member(const RelationLink& link, const std::string& to_attr, const std::string& path) {
    if (to_attr.empty()) {
        if (!link.reverse) return link.relation->member;
        for (const ReverseField& f : link.from->reverse_fields)
            if (f.field == link.accessor) return f.member;
        throw UsageError(fmt::format(
            "covet: prefetch_related(\"{}\"): {} has no member to keep its '{}' in: declare covet::{}<{}> {}; in {}, "
            "or give covet::Prefetch a to_attr",
            path, link.from->name, link.accessor, link.many ? "ReverseMany" : "ReverseOne", link.to->name,
            link.accessor, link.from->name));
    }
    for (const ListField& f : link.from->list_fields) {
        if (f.field != to_attr) continue;
        if (&f.target() != link.to)
            throw UsageError(fmt::format("covet: Prefetch(\"{}\", ..., \"{}\"): {}.{} holds {} objects, not {}", path,
                                         to_attr, link.from->name, to_attr, f.target().name, link.to->name));
        return f.member;
    }
    throw UsageError(fmt::format("covet: Prefetch(\"{}\", ..., \"{}\"): {} has no covet::Prefetched<{}> member named {}",
                                 path, to_attr, link.from->name, link.to->name, to_attr));
}

// The objects the relation caches on `parents` (the next level of a prefetch path).
std::vector<void*> cached_objects(const std::vector<void*>& parents, const RelationField& field) {
    std::vector<void*> out;
    for (void* parent : parents) {
        void* member = field.at(parent);
        if (field.ops->list_size != nullptr) {
            const std::size_t n = field.ops->list_size(member);
            for (std::size_t i = 0; i < n; ++i) out.push_back(field.ops->list_at(member, i));
        } else if (void* one = field.ops->cached_one(member)) {
            out.push_back(one);
        }
    }
    return out;
}

// One relation for every parent: one query of the relation's pairs joined with the related
// objects' table, rows dealt out to the parents.
void prefetch_level(Database& db, const std::vector<void*>& parents, const RelationLink& link, std::size_t member,
                    const Query* custom, const std::string& path) {
    if (link.name.empty())
        throw UsageError(fmt::format("covet: prefetch_related(\"{}\"): {}.{} has no reverse name (related_name \"+\")",
                                     path, link.from->name, link.accessor));
    const ModelInfo& from = *link.from;
    const RelationField& field = from.ops.relations[member];
    const bool forward_one = !link.reverse && !link.many;
    // related() pairs: forward ForeignKey: (object's primary key, its key); otherwise: (the key the
    // relation stores for the object, the related object's primary key).
    const std::size_t key_column =
        forward_one ? from.primary_key : static_cast<std::size_t>(link.from_column - from.columns.data());
    ParentIndex index(parents.size());
    for (void* parent : parents) {
        void* m = field.at(parent);
        if (field.ops->start_list != nullptr) field.ops->start_list(m);
        else if (field.ops->role == RelationOps::Role::ReverseOne) field.ops->set_none(m);
        index.add(field_value(from.ops, parent, key_column), parent);
    }
    if (parents.empty()) return;
    const Column& target_key = forward_one ? *link.to_column : link.to->columns[link.to->primary_key];
    // The reverse of a foreign key finds its parent's key in the related row itself (the key it
    // holds): related() need not read the pair's source for it.
    const bool key_in_row = link.reverse && !link.through_junction();
    const int parent_key_column = key_in_row ? static_cast<int>(link.to_column - link.to->columns.data()) : 0;
    const Query base = custom ? *custom : Query(*link.to);
    const Query query =
        base.through_related(db.related_pairs_sql(link.name), Value{index.keys_json()}, target_key, !key_in_row);
    const ModelReader reader(db, query);
    ListSizes sizes;
    Cursor cursor = open_select(db, query);
    while (cursor.next()) {
        for (std::uint32_t i = index.find(cursor.handle(), parent_key_column); i != ParentIndex::none;
             i = index.next(i)) {
            void* m = field.at(index.parent(i));
            void* object = field.ops->append != nullptr ? field.ops->append(m, sizes.next(field.ops->list_size(m)))
                                                        : field.ops->fill_one(m);
            reader.read(cursor.handle(), object);
        }
    }
}

}  // namespace

void run_prefetches(Database& db, const ModelInfo& model, void* objects, std::size_t stride, std::size_t count,
                    const std::vector<Prefetch>& prefetches) {
    std::vector<void*> roots;
    roots.reserve(count);
    for (std::size_t i = 0; i < count; ++i) roots.push_back(static_cast<char*>(objects) + i * stride);
    // Each path prefix already prefetched ("author", "author__books") and, once a longer path needs
    // them, the objects it reached: "author__books" and "author__books__categories" query author
    // and books once, and the last level's objects are never gathered.
    std::map<std::string, std::optional<std::vector<void*>>> done;
    for (const Prefetch& prefetch : prefetches) {
        const std::vector<std::string> path = split_path(prefetch.path);
        const ModelInfo* current = &model;
        const std::vector<void*>* level = &roots;
        std::string prefix;
        for (std::size_t i = 0; i < path.size(); ++i) {
            const bool last = i + 1 == path.size();
            prefix += (prefix.empty() ? "" : "__") + path[i];
            const RelationLink link = require_link(*current, path[i]);
            const std::string to_attr = last ? prefetch.to_attr : std::string();
            const std::size_t member = caching_member(link, to_attr, prefetch.path);
            auto [found, first] = done.try_emplace(prefix + (to_attr.empty() ? "" : "->" + to_attr));
            if (first) prefetch_level(db, *level, link, member, last ? prefetch.query.get() : nullptr, prefetch.path);
            if (last) break;
            if (!found->second) found->second = cached_objects(*level, current->ops.relations[member]);
            level = &*found->second;
            current = link.to;
        }
    }
}

}  // namespace covet::detail
