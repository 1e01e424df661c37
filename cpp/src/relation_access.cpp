// The non-template half of the relation members (to_one.hpp, reverse_one.hpp, related_set.hpp):
// their descriptions in ModelInfo, lazy loads, and the messages that name them.
#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/model.hpp>
#include <covet/related_set.hpp>
#include <covet/relation_link.hpp>
#include <covet/reverse.hpp>
#include <covet/reverse_one.hpp>
#include <covet/sql_printer.hpp>

#include <fmt/format.h>

#include <unordered_map>

namespace covet::detail {

namespace {

std::string member_name(const ModelInfo& owner, std::size_t member) {
    for (const Relation& r : owner.relations)
        if (r.member == member) return r.field;
    for (const ReverseField& f : owner.reverse_fields)
        if (f.member == member) return f.field;
    return "?";
}

// SELECT <columns of target> FROM "t" WHERE "column" = ?1 LIMIT 1 (cached by the Database).
std::string build_select_by(const ModelInfo& target, const Column& column) {
    std::string columns;
    for (const Column& c : target.columns) {
        if (!columns.empty()) columns += ", ";
        columns += quote_identifier(c.name);
    }
    return fmt::format("SELECT {} FROM {} WHERE {} = ?1 LIMIT 1", columns, quote_identifier(target.table),
                       quote_identifier(column.name));
}

// The same, built once per column (per thread: no lock) rather than on every lazy load. `column`
// belongs to `target`, the ModelInfo of a C++ model, which lives as long as the program.
const std::string& select_by(const ModelInfo& target, const Column& column) {
    thread_local std::unordered_map<const Column*, std::string> built;
    auto it = built.find(&column);
    if (it == built.end()) it = built.emplace(&column, build_select_by(target, column)).first;
    return it->second;
}

std::string key_text(const Value& key) { return covet::describe(key); }

}  // namespace

std::string member_label(const ModelInfo* owner, std::size_t member, std::string_view kind, const ModelInfo& target) {
    if (owner == nullptr) return fmt::format("a {} to {}", kind, target.name);
    return owner->name + "." + member_name(*owner, member);
}

Database& relation_database(const DatabaseRef& ref, const std::string& label) {
    if (Database* db = ref.get()) return *db;
    if (ref.empty()) {
        throw UsageError(fmt::format("covet: {} belongs to an object that was not read from or saved to a Database, "
                                     "so it cannot load by itself: pass the Database (get(db), all(db), ...)",
                                     label));
    }
    throw Error(fmt::format("covet: {}: the Database its object was read from has been closed", label));
}

const Column& key_column(const ModelInfo& target, std::string_view to_field) {
    if (to_field.empty()) return target.columns[target.primary_key];
    if (const Column* c = target.field(to_field)) return *c;
    throw SchemaError(fmt::format("covet: to_field '{}' is not a field of {}", to_field, target.name));
}

bool find_object(Database& db, const ModelInfo& target, const Column& column, const Value& key, void* object,
                 std::uint64_t origin) {
    Cursor cursor = db.query(select_by(target, column), {key});
    if (!cursor.next()) return false;
    read_row(target.ops, object, cursor.handle(), 0);
    cursor.close();
    attach_relations(target, object, db.ref(), origin);
    return true;
}

void load_object(Database& db, const ModelInfo& target, const Column& column, const Value& key, void* object,
                 std::uint64_t origin, const ModelInfo* owner, std::size_t member, std::string_view kind) {
    if (db.guards_lazy_loads()) {
        const std::string label = member_label(owner, member, kind, target);
        const std::string field = label.substr(label.find('.') + 1);
        db.note_lazy_load(origin, label,
                          fmt::format("select_related(\"{}\") or prefetch_related(\"{}\")", field, field));
    }
    if (!find_object(db, target, column, key, object, origin)) {
        const std::string label = member_label(owner, member, kind, target);
        throw RelatedObjectDoesNotExist(
            fmt::format("covet: {}: there is no {} with {} = {} (deleted, or never there)", label, target.name,
                        column.field, key_text(key)),
            {.model = target.name, .field = column.field, .value = key_text(key)});
    }
}

void throw_null_relation(const std::string& label, const ModelInfo& target) {
    throw Error(fmt::format("covet: {} is NULL: there is no {} to read (check has_value() first)", label, target.name));
}

void describe_to_one(ModelInfo& info, std::string_view field, std::size_t member, RelationKind kind,
                     const RelationOptions& options, const ModelInfo& (*target)()) {
    Relation r;
    r.field = std::string(field);
    r.kind = kind;
    r.target = target;
    r.on_delete = options.on_delete;
    r.null = options.null;
    r.related_name = std::string(options.related_name.view());
    r.to_field = std::string(options.to_field.view());
    r.member = member;
    for (std::size_t i = 0; i < info.columns.size(); ++i) {
        Column& c = info.columns[i];
        if (c.field != field) continue;
        r.column = i;
        c.name = options.db_column.empty() ? r.field + "_id" : std::string(options.db_column.view());
        c.unique = c.unique || kind == RelationKind::OneToOne;
        if (options.default_key.kind == DefaultKey::Kind::Integer) r.default_key = Value{options.default_key.integer};
        if (options.default_key.kind == DefaultKey::Kind::Text)
            r.default_key = Value{std::string(options.default_key.text.view())};
        if (r.default_key) c.default_value = r.default_key;
    }
    if (!r.related_name.empty() && r.related_name != "+" && r.related_name.find('.') != std::string::npos)
        throw_logic(fmt::format("covet: {}.{}: related_name '{}' cannot contain '.'", info.name, field, r.related_name));
    info.relations.push_back(std::move(r));
}

void describe_many_to_many(ModelInfo& info, std::string_view field, std::size_t member,
                           const ManyToManyOptions& options, const ModelInfo& (*target)(),
                           const ModelInfo& (*through)()) {
    Relation r;
    r.field = std::string(field);
    r.kind = RelationKind::ManyToMany;
    r.target = target;
    r.through = through;
    r.related_name = std::string(options.related_name.view());
    r.db_table = std::string(options.db_table.view());
    r.symmetrical = options.symmetrical;
    r.member = member;
    info.relations.push_back(std::move(r));
}

void describe_reverse(ModelInfo& info, std::string_view field, std::size_t member, bool one,
                      const ModelInfo& (*source)()) {
    info.reverse_fields.push_back(ReverseField{std::string(field), one, source, member});
}

void describe_list(ModelInfo& info, std::string_view field, std::size_t member, const ModelInfo& (*target)()) {
    info.list_fields.push_back(ListField{std::string(field), target, member});
}

void note_many_lazy_load(Database& db, std::uint64_t origin, const std::string& label) {
    const std::string field = label.substr(label.find('.') + 1);
    db.note_lazy_load(origin, label, fmt::format("prefetch_related(\"{}\")", field));
}

bool load_reverse_one(Database& db, const ModelInfo* owner, std::size_t member, const Value& owner_key, void* object,
                      std::uint64_t origin) {
    const RelationLink link = reverse_field_link(*owner, reverse_of_member(*owner, member));
    if (db.guards_lazy_loads()) {
        const std::string label = member_label(owner, member, "ReverseOne", *link.to);
        db.note_lazy_load(origin, label,
                          fmt::format("select_related(\"{}\") or prefetch_related(\"{}\")", link.accessor,
                                      link.accessor));
    }
    return find_object(db, *link.to, *link.to_column, owner_key, object, origin);
}

void throw_no_reverse_one(const ModelInfo* owner, std::size_t member, const ModelInfo& target, const Value& owner_key) {
    const std::string label = member_label(owner, member, "ReverseOne", target);
    throw RelatedObjectDoesNotExist(
        fmt::format("covet: {}: {} {} has no {}", label, owner ? owner->name : std::string("the object"),
                    key_text(owner_key), target.name),
        {.model = target.name, .value = key_text(owner_key)});
}

RelationLink member_link(const ModelInfo* owner, std::size_t member, bool reverse, const ModelInfo& target,
                         std::string_view kind) {
    if (owner == nullptr) {
        throw UsageError(fmt::format("covet: this {} to {} belongs to an object that was not read from or saved to a "
                                     "Database: save it first, or use db.related<{}>(object, \"name\") for an "
                                     "object built by hand",
                                     kind, target.name, target.name));
    }
    if (!reverse) return forward_link(*owner, relation_of_member(*owner, member));
    return reverse_field_link(*owner, reverse_of_member(*owner, member));
}

RelationLink reverse_of(const ModelInfo& model, std::string_view field) {
    const Relation* relation = model.relation(field);
    if (relation == nullptr) throw_logic(fmt::format("covet: {}.{} is not a relation", model.name, field));
    return reverse_link(model, *relation);
}

Value owner_key(const RelationLink& link, const void* owner) {
    const auto column = static_cast<std::size_t>(link.from_column - link.from->columns.data());
    Value key = field_value(link.from->ops, owner, column);
    check_owner(link, key);
    return key;
}

void check_manager_link(const RelationLink& link, const ModelInfo& model) {
    if (link.to != &model) {
        throw UsageError(fmt::format("covet: {}.{} relates {} objects, not {}", link.from->name, link.accessor,
                                     link.to->name, model.name));
    }
    if (!link.many) {
        throw UsageError(fmt::format("covet: {}.{} is one {}, not a set: read it with covet::reverse<...>() or its "
                                     "member",
                                     link.from->name, link.accessor, link.to->name));
    }
}

std::optional<std::size_t> cache_member(const RelationLink& link) {
    if (!link.reverse) return link.relation->member;
    for (const ReverseField& f : link.from->reverse_fields)
        if (f.field == link.accessor && !f.one) return f.member;
    return std::nullopt;
}

}  // namespace covet::detail
