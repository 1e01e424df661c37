// covet::Query and covet::Filter: building query descriptions, parsing Django string lookups and
// validating them against a ModelInfo.
#include <covet/query.hpp>

#include <covet/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace covet {

namespace {

[[noreturn]] void fail(std::string message) { throw UsageError(std::move(message)); }

constexpr std::array<Lookup, 15> lookups = {
    Lookup::Exact, Lookup::IExact, Lookup::Contains,   Lookup::IContains, Lookup::StartsWith,
    Lookup::IStartsWith, Lookup::EndsWith, Lookup::IEndsWith, Lookup::Gt,  Lookup::Gte,
    Lookup::Lt,    Lookup::Lte,    Lookup::In,         Lookup::IsNull,    Lookup::Range,
};

std::string lookup_list() {
    std::string out;
    for (Lookup l : lookups) {
        if (!out.empty()) out += ", ";
        out += lookup_name(l);
    }
    return out;
}

std::string join_path(const std::vector<std::string>& path) {
    std::string out;
    for (const auto& s : path) {
        if (!out.empty()) out += "__";
        out += s;
    }
    return out;
}

// A field by C++ name, "pk", or a ForeignKey's column name as Django's attname ("author_id").
const Column* find_column(const ModelInfo& model, std::string_view field) {
    if (field == "pk" && model.primary_key < model.columns.size()) return &model.columns[model.primary_key];
    for (const Column& c : model.columns)
        if (c.field == field) return &c;
    for (const Relation& r : model.relations)
        if (r.column && model.columns[*r.column].name == field) return &model.columns[*r.column];
    return nullptr;
}

// "covet: Book has no field 'x' (fields: ...; relations: ...)".
[[noreturn]] void no_field(const ModelInfo& model, std::string_view name) {
    std::string message = model.no_field_message(name);
    const std::vector<std::string> relations = detail::relation_list(model);
    if (!relations.empty()) {
        message.pop_back();  // the closing parenthesis
        message += fmt::format("; relations: {})", fmt::join(relations, ", "));
    }
    fail(std::move(message));
}

bool is_null(const Value& v) { return std::holds_alternative<std::nullptr_t>(v); }

// The number of values a lookup takes, checked where a Filter is made.
void check_values(const Condition& c) {
    const auto n = c.values.size();
    auto expect = [&](std::size_t want, const char* what) {
        if (n != want)
            fail(fmt::format("covet: lookup '{}' takes {} ({} given)", c.expression(), what, n));
    };
    switch (c.lookup) {
        case Lookup::In: break;
        case Lookup::Range:
            expect(2, "two values (low, high)");
            if (is_null(c.values[0]) || is_null(c.values[1]))
                fail(fmt::format("covet: lookup '{}': the bounds of range cannot be NULL", c.expression()));
            break;
        case Lookup::IsNull:
            expect(1, "one value (true or false)");
            if (!std::holds_alternative<std::int64_t>(c.values[0]))
                fail(fmt::format("covet: lookup '{}' takes true or false", c.expression()));
            break;
        case Lookup::Exact:
        case Lookup::IExact: expect(1, "one value"); break;
        default:
            expect(1, "one value");
            if (is_null(c.values[0]))
                fail(fmt::format("covet: lookup '{}': NULL is only allowed with exact and iexact "
                                 "(or use isnull)",
                                 c.expression()));
            break;
    }
}

void check_filter(const ModelInfo& model, const Filter& f) {
    if (f.kind() == Filter::Kind::Condition) {
        const Condition& c = f.condition();
        (void)resolve_path(model, c.path, c.expression());
        return;
    }
    for (const Filter& child : f.children()) check_filter(model, child);
}

}  // namespace

std::vector<std::string> split_path(std::string_view text) {
    std::vector<std::string> out;
    for (;;) {
        auto pos = text.find("__");
        out.emplace_back(text.substr(0, pos));
        if (pos == std::string_view::npos) break;
        text.remove_prefix(pos + 2);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Lookups

std::span<const Lookup> all_lookups() { return lookups; }

std::string_view lookup_name(Lookup lookup) {
    switch (lookup) {
        case Lookup::Exact: return "exact";
        case Lookup::IExact: return "iexact";
        case Lookup::Contains: return "contains";
        case Lookup::IContains: return "icontains";
        case Lookup::StartsWith: return "startswith";
        case Lookup::IStartsWith: return "istartswith";
        case Lookup::EndsWith: return "endswith";
        case Lookup::IEndsWith: return "iendswith";
        case Lookup::Gt: return "gt";
        case Lookup::Gte: return "gte";
        case Lookup::Lt: return "lt";
        case Lookup::Lte: return "lte";
        case Lookup::In: return "in";
        case Lookup::IsNull: return "isnull";
        case Lookup::Range: return "range";
    }
    return "?";
}

std::optional<Lookup> lookup_from_name(std::string_view name) {
    for (Lookup l : lookups)
        if (lookup_name(l) == name) return l;
    return std::nullopt;
}

std::string Condition::expression() const {
    std::string out = join_path(path);
    if (lookup != Lookup::Exact) {
        out += "__";
        out += lookup_name(lookup);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Filter

struct Filter::Node {
    Kind kind;
    covet::Condition condition;    // Kind::Condition
    std::vector<Filter> children;  // the others
};

Filter::Filter(std::shared_ptr<const Node> node) : node_(std::move(node)) {}

Filter::Filter(covet::Condition condition) {
    if (condition.path.empty() || std::any_of(condition.path.begin(), condition.path.end(),
                                              [](const std::string& s) { return s.empty(); }))
        fail(fmt::format("covet: empty field name in lookup '{}'", condition.expression()));
    check_values(condition);
    if (condition.lookup == Lookup::In)  // NULL never matches in IN; Django drops it too
        std::erase_if(condition.values, is_null);
    node_ = std::make_shared<const Node>(Node{Kind::Condition, std::move(condition), {}});
}

Filter::Filter(std::string_view field, Lookup lookup, std::vector<Value> values)
    : Filter(covet::Condition{split_path(field), lookup, std::move(values)}) {}

Filter::Kind Filter::kind() const { return node_->kind; }

const Condition& Filter::condition() const { return node_->condition; }

std::span<const Filter> Filter::children() const { return node_->children; }

namespace {
Filter combine(Filter::Kind kind, const Filter& a, const Filter& b, auto make) {
    std::vector<Filter> children;
    for (const Filter* f : {&a, &b}) {
        if (f->kind() == kind)
            children.insert(children.end(), f->children().begin(), f->children().end());
        else
            children.push_back(*f);
    }
    return make(std::move(children));
}
}  // namespace

Filter operator&&(const Filter& a, const Filter& b) {
    return combine(Filter::Kind::And, a, b, [](std::vector<Filter> c) {
        return Filter(std::make_shared<const Filter::Node>(
            Filter::Node{Filter::Kind::And, {}, std::move(c)}));
    });
}

Filter operator||(const Filter& a, const Filter& b) {
    return combine(Filter::Kind::Or, a, b, [](std::vector<Filter> c) {
        return Filter(std::make_shared<const Filter::Node>(
            Filter::Node{Filter::Kind::Or, {}, std::move(c)}));
    });
}

Filter operator!(const Filter& a) {
    if (a.kind() == Filter::Kind::Not) return a.children()[0];
    return Filter(std::make_shared<const Filter::Node>(Filter::Node{Filter::Kind::Not, {}, {a}}));
}

Filter Q(std::string_view expression, std::vector<Value> values) {
    std::vector<std::string> path = split_path(expression);
    Lookup lookup = Lookup::Exact;
    if (path.size() > 1) {
        if (auto l = lookup_from_name(path.back())) {
            lookup = *l;
            path.pop_back();
        }
    }
    return Filter(Condition{std::move(path), lookup, std::move(values)});
}

Filter Q(std::string_view expression, Value value) {
    std::vector<Value> values;
    values.push_back(std::move(value));
    return Q(expression, std::move(values));
}

// ---------------------------------------------------------------------------------------------
// Fields

bool FieldPath::many() const {
    return std::any_of(hops.begin(), hops.end(), [](const RelationLink& l) { return l.many; });
}

bool FieldPath::optional() const {
    return std::any_of(hops.begin(), hops.end(), [](const RelationLink& l) { return l.optional; });
}

FieldPath resolve_path(const ModelInfo& model, const std::vector<std::string>& path, std::string_view expression) {
    if (path.empty()) fail(fmt::format("covet: empty field name in '{}'", expression));
    FieldPath out;
    const ModelInfo* current = &model;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const std::string& name = path[i];
        const bool last = i + 1 == path.size();
        std::optional<RelationLink> link = detail::find_link(*current, name);
        if (link && !link->reverse && !link->many && last) {
            out.column = link->from_column;  // "author": the key column itself, no join
            return out;
        }
        if (link) {
            out.hops.push_back(*link);
            current = link->to;
            if (last) out.column = &current->columns[current->primary_key];
            continue;
        }
        const Column* column = find_column(*current, name);
        if (!column) no_field(*current, name);
        if (!last) {
            std::string message = fmt::format("covet: unknown lookup '{}' in '{}' (lookups: {})", path[i + 1],
                                              expression, lookup_list());
            if (path.size() > i + 2 || !expression.ends_with(path[i + 1]))  // meant as a path across a relation
                message += fmt::format("; {}.{} is not a relation", current->name, name);
            fail(std::move(message));
        }
        out.column = column;
    }
    return out;
}

const Column& resolve_field(const ModelInfo& model, const std::vector<std::string>& path,
                            std::string_view expression) {
    FieldPath resolved = resolve_path(model, path, expression);
    if (!resolved.hops.empty())
        fail(fmt::format("covet: '{}' crosses a relation, which this operation of {} does not support", expression,
                         model.name));
    return *resolved.column;
}

const Column& resolve_field(const ModelInfo& model, std::string_view field) {
    const Column* column = find_column(model, field);
    if (!column) no_field(model, field);
    return *column;
}

// ---------------------------------------------------------------------------------------------
// Aggregates

std::string Aggregate::name() const {
    if (!alias.empty()) return alias;
    static constexpr const char* names[] = {"count", "sum", "avg", "min", "max"};
    const char* fn = names[static_cast<int>(function)];
    return field.empty() ? std::string(fn) : fmt::format("{}__{}", field, fn);
}

Aggregate Count(std::string field, std::string alias, bool distinct) {
    return {AggregateFunction::Count, std::move(field), std::move(alias), distinct};
}
Aggregate Sum(std::string field, std::string alias) {
    return {AggregateFunction::Sum, std::move(field), std::move(alias), false};
}
Aggregate Avg(std::string field, std::string alias) {
    return {AggregateFunction::Avg, std::move(field), std::move(alias), false};
}
Aggregate Min(std::string field, std::string alias) {
    return {AggregateFunction::Min, std::move(field), std::move(alias), false};
}
Aggregate Max(std::string field, std::string alias) {
    return {AggregateFunction::Max, std::move(field), std::move(alias), false};
}

// ---------------------------------------------------------------------------------------------
// Query

struct Query::State {
    const ModelInfo* model = nullptr;
    Action action = Action::Select;
    std::optional<Filter> where;
    std::optional<std::vector<std::string>> order_by;  // nullopt: the model's default
    bool distinct = false;
    std::optional<std::int64_t> limit;
    std::int64_t offset = 0;
    std::vector<std::string> values;
    std::vector<Aggregate> aggregates;
    bool grouped = false;
    std::vector<Assignment> assignments;
    std::vector<Filter> filter_calls;
    std::vector<std::vector<std::string>> select_related;
    std::vector<Prefetch> prefetches;
    std::shared_ptr<const RelationLink> related_link;
    Value related_owner;
    std::string source_pairs;
    Value source_keys;
    const Column* source_key = nullptr;
    bool selects_source = false;
};

namespace {
const std::vector<std::string> no_ordering;

template <class F>
std::shared_ptr<const Query::State> edit(const std::shared_ptr<const Query::State>& s, F f) {
    auto copy = std::make_shared<Query::State>(*s);
    f(*copy);
    return copy;
}
}  // namespace

Query::Query(std::shared_ptr<const State> state) : state_(std::move(state)) {}

Query::Query(const ModelInfo& model) {
    auto s = std::make_shared<State>();
    s->model = &model;
    state_ = std::move(s);
}

const ModelInfo& Query::model() const { return *state_->model; }
Query::Action Query::action() const { return state_->action; }
const std::optional<Filter>& Query::where() const { return state_->where; }

const std::vector<std::string>& Query::ordering() const {
    if (state_->order_by) return *state_->order_by;
    if (!state_->aggregates.empty()) return no_ordering;
    return state_->model->ordering;
}

bool Query::is_distinct() const { return state_->distinct; }
std::optional<std::int64_t> Query::limit() const { return state_->limit; }
std::int64_t Query::offset() const { return state_->offset; }
bool Query::is_sliced() const { return state_->limit.has_value() || state_->offset != 0; }
const std::vector<std::string>& Query::value_fields() const { return state_->values; }
const std::vector<Aggregate>& Query::aggregates() const { return state_->aggregates; }
bool Query::is_grouped() const { return state_->grouped; }
const std::vector<Assignment>& Query::assignments() const { return state_->assignments; }
const std::vector<Filter>& Query::filter_calls() const { return state_->filter_calls; }
const std::vector<std::vector<std::string>>& Query::select_related_paths() const { return state_->select_related; }
const std::vector<Prefetch>& Query::prefetches() const { return state_->prefetches; }
const RelationLink* Query::related_link() const { return state_->related_link.get(); }
const Value& Query::related_owner() const { return state_->related_owner; }
const std::string& Query::source_pairs() const { return state_->source_pairs; }
const Value& Query::source_keys() const { return state_->source_keys; }
const Column* Query::source_key() const { return state_->source_key; }
bool Query::selects_source() const { return state_->selects_source; }

Prefetch::Prefetch(std::string path_) : path(std::move(path_)) {}

Prefetch::Prefetch(std::string path_, const Query& query_, std::string to_attr_)
    : path(std::move(path_)), query(std::make_shared<const Query>(query_)), to_attr(std::move(to_attr_)) {}

std::vector<std::string> Query::result_names() const {
    std::vector<std::string> out;
    if (!state_->aggregates.empty()) {
        if (state_->grouped) out = state_->values;
        for (const Aggregate& a : state_->aggregates) out.push_back(a.name());
    } else if (!state_->values.empty()) {
        out = state_->values;
    } else {
        for (const Column& c : state_->model->columns) out.push_back(c.field);
    }
    return out;
}

Query Query::filter(const Filter& filter) const {
    if (is_sliced()) fail(fmt::format("covet: cannot filter a {} query once a slice has been taken", model().name));
    check_filter(model(), filter);
    return Query(edit(state_, [&](State& s) {
        s.where = s.where ? *s.where && filter : filter;
        s.filter_calls.push_back(filter);
    }));
}

Query Query::exclude(const Filter& filter) const { return this->filter(!filter); }

Query Query::order_by(std::vector<std::string> fields) const {
    if (is_sliced())
        fail(fmt::format("covet: cannot reorder a {} query once a slice has been taken", model().name));
    for (const std::string& f : fields) {
        if (f == "?") continue;
        std::string_view name = f;
        if (name.starts_with('-')) name.remove_prefix(1);
        const bool alias = std::any_of(state_->aggregates.begin(), state_->aggregates.end(),
                                       [&](const Aggregate& a) { return a.name() == name; });
        if (alias) continue;
        if (resolve_path(model(), split_path(name), name).many())
            fail(fmt::format("covet: cannot order {} by '{}': it crosses a relation to several objects "
                             "(annotate an aggregate of it and order by that)",
                             model().name, name));
    }
    return Query(edit(state_, [&](State& s) { s.order_by = std::move(fields); }));
}

Query Query::distinct(bool on) const {
    return Query(edit(state_, [&](State& s) { s.distinct = on; }));
}

Query Query::slice(std::int64_t start, std::optional<std::int64_t> stop) const {
    if (start < 0 || (stop && *stop < 0))
        fail(fmt::format("covet: negative indexing is not supported (slice of {})", model().name));
    return Query(edit(state_, [&](State& s) {
        std::optional<std::int64_t> length;
        if (stop) length = std::max<std::int64_t>(*stop - start, 0);
        if (s.limit) {
            const std::int64_t remaining = std::max<std::int64_t>(*s.limit - start, 0);
            length = length ? std::min(*length, remaining) : remaining;
        }
        s.offset += start;
        s.limit = length;
    }));
}

Query Query::values(std::vector<std::string> fields) const {
    if (!state_->aggregates.empty())
        fail(fmt::format("covet: values() must come before aggregate()/annotate() ({})", model().name));
    for (const std::string& f : fields) (void)resolve_field(model(), f);
    return Query(edit(state_, [&](State& s) { s.values = std::move(fields); }));
}

namespace {
void check_aggregates(const ModelInfo& model, const std::vector<Aggregate>& aggregates) {
    if (aggregates.empty()) fail(fmt::format("covet: no aggregates given ({})", model.name));
    std::vector<std::string> names;
    for (const Aggregate& a : aggregates) {
        if (a.field.empty()) {
            if (a.function != AggregateFunction::Count)
                fail(fmt::format("covet: only Count may omit its field ({})", model.name));
        } else {
            (void)resolve_path(model, split_path(a.field), a.field);
        }
        std::string name = a.name();
        if (std::find(names.begin(), names.end(), name) != names.end())
            fail(fmt::format("covet: the aggregate name '{}' is used twice ({})", name, model.name));
        names.push_back(std::move(name));
    }
}
}  // namespace

Query Query::aggregate(std::vector<Aggregate> aggregates) const {
    check_aggregates(model(), aggregates);
    return Query(edit(state_, [&](State& s) {
        s.aggregates = std::move(aggregates);
        s.grouped = false;
    }));
}

Query Query::annotate(std::vector<Aggregate> aggregates) const {
    if (state_->values.empty())
        fail(fmt::format("covet: annotate() groups by the values() fields: call values() first ({}); "
                         "per-object annotations come with relations",
                         model().name));
    check_aggregates(model(), aggregates);
    for (const Aggregate& a : aggregates)
        if (std::find(state_->values.begin(), state_->values.end(), a.name()) != state_->values.end())
            fail(fmt::format("covet: the annotation '{}' conflicts with a field of {}", a.name(), model().name));
    return Query(edit(state_, [&](State& s) {
        s.aggregates = std::move(aggregates);
        s.grouped = true;
    }));
}

Query Query::select_related(std::vector<std::string> path) const {
    const ModelInfo* current = &model();
    std::string expression = fmt::format("{}", fmt::join(path, "__"));
    if (path.empty()) fail(fmt::format("covet: select_related() of {} needs a relation", model().name));
    for (const std::string& name : path) {
        std::optional<RelationLink> link = detail::find_link(*current, name);
        if (!link) {
            if (find_column(*current, name))
                fail(fmt::format("covet: select_related('{}'): {}.{} is not a relation", expression, current->name,
                                 name));
            no_field(*current, name);
        }
        if (link->many)
            fail(fmt::format("covet: select_related('{}'): {}.{} relates several {} objects; use prefetch_related",
                             expression, current->name, name, link->to->name));
        current = link->to;
    }
    return Query(edit(state_, [&](State& s) {
        if (std::find(s.select_related.begin(), s.select_related.end(), path) == s.select_related.end())
            s.select_related.push_back(std::move(path));
    }));
}

Query Query::prefetch_related(Prefetch prefetch) const {
    const ModelInfo* current = &model();
    const std::vector<std::string> path = split_path(prefetch.path);
    for (const std::string& name : path) current = detail::require_link(*current, name).to;
    if (prefetch.query && &prefetch.query->model() != current)
        fail(fmt::format("covet: Prefetch('{}'): the query is on {}, the relation leads to {}", prefetch.path,
                         prefetch.query->model().name, current->name));
    return Query(edit(state_, [&](State& s) { s.prefetches.push_back(std::move(prefetch)); }));
}

Query Query::related_to(const RelationLink& link, Value owner) const {
    return Query(edit(state_, [&](State& s) {
        s.related_link = std::make_shared<const RelationLink>(link);
        s.related_owner = std::move(owner);
    }));
}

Query Query::through_related(std::string pairs, Value keys, const Column& key, bool with_source) const {
    return Query(edit(state_, [&](State& s) {
        s.source_pairs = std::move(pairs);
        s.source_keys = std::move(keys);
        s.source_key = &key;
        s.selects_source = with_source;
    }));
}

Query Query::count() const {
    return Query(edit(state_, [](State& s) { s.action = Action::Count; }));
}

Query Query::exists() const {
    return Query(edit(state_, [](State& s) { s.action = Action::Exists; }));
}

Query Query::update(std::vector<Assignment> assignments) const {
    if (is_sliced()) fail(fmt::format("covet: cannot update a {} query once a slice has been taken", model().name));
    if (!state_->aggregates.empty())
        fail(fmt::format("covet: cannot update an aggregate()/annotate() query ({})", model().name));
    if (assignments.empty()) fail(fmt::format("covet: update() of {} needs at least one field", model().name));
    for (std::size_t i = 0; i < assignments.size(); ++i) {
        const Column& c = resolve_field(model(), assignments[i].field);
        if (!c.nullable && is_null(assignments[i].value))
            fail(fmt::format("covet: {}.{} cannot be NULL", model().name, c.field));
        for (std::size_t j = 0; j < i; ++j)
            if (&resolve_field(model(), assignments[j].field) == &c)
                fail(fmt::format("covet: update() sets {}.{} twice", model().name, c.field));
    }
    return Query(edit(state_, [&](State& s) {
        s.action = Action::Update;
        s.assignments = std::move(assignments);
    }));
}

Query Query::delete_() const {
    if (is_sliced()) fail(fmt::format("covet: cannot delete from a {} query once a slice has been taken", model().name));
    if (state_->distinct) fail(fmt::format("covet: cannot delete() after distinct() ({})", model().name));
    if (!state_->values.empty() || !state_->aggregates.empty())
        fail(fmt::format("covet: cannot delete() after values(), aggregate() or annotate() ({})", model().name));
    return Query(edit(state_, [](State& s) { s.action = Action::Delete; }));
}

}  // namespace covet
