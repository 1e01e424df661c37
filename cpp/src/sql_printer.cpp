// covet's SQL printer: Query -> SQL text + bound parameters. See sql_printer.hpp for the lookup
// semantics. No value is ever written into the text; identifiers are always quoted.
#include <covet/sql_printer.hpp>

#include <covet/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace covet {

namespace {

[[noreturn]] void fail(std::string message) { throw UsageError(std::move(message)); }

bool is_null(const Value& v) { return std::holds_alternative<std::nullptr_t>(v); }

// A value compared as text by the text lookups (as Django's str(value)).
std::string as_text(const Value& v, const Condition& c) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        std::string text = fmt::format("{}", *d);
        if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // as SQLite: 100.0
        return text;
    }
    fail(fmt::format("covet: lookup '{}' takes text (or a number), not {}", c.expression(),
                     is_null(v) ? "NULL" : "a blob"));
}

struct Expr {
    std::string text;
    bool atomic = true;  // needs no parentheses as an operand of AND / OR
};

// Where a condition is printed: the joins it may add are INNER only in a pure conjunction from
// the root (under OR or NOT, a missing related row must not drop the row).
struct Context {
    bool negated = false;  // under an odd number of NOTs
    bool conjunctive = true;
    int group = 0;  // the filter() call: multi-valued joins are per call, as Django's
};

// The joins of one FROM clause: the query's, or an EXISTS subquery's.
class Joins {
public:
    explicit Joins(std::string base) : base_(std::move(base)) {}
    const std::string& base() const { return base_; }
    bool any_many() const {
        return std::any_of(joins_.begin(), joins_.end(), [](const Join& j) { return j.many; });
    }
    bool empty() const { return joins_.empty(); }

    // The alias of `table` joined to `parent` on table.column = parent.parent_column; reused when
    // the same join (same key) exists, and made LEFT when any use needs it.
    std::string join(const std::string& parent, const std::string& key, const std::string& table,
                     const std::string& column, const std::string& parent_column, bool left, bool many,
                     int& alias_counter) {
        const std::string full_key = parent + "|" + key;
        for (Join& j : joins_) {
            if (j.key == full_key) {
                j.left = j.left || left;
                return j.alias;
            }
        }
        Join j;
        j.key = full_key;
        j.alias = quote_identifier("T" + std::to_string(++alias_counter));
        j.parent = parent;
        j.on = fmt::format("{} AS {} ON {}.{} = {}.{}", quote_identifier(table), j.alias, j.alias,
                           quote_identifier(column), parent, quote_identifier(parent_column));
        j.left = left;
        j.many = many;
        joins_.push_back(std::move(j));
        return joins_.back().alias;
    }

    // " JOIN ... LEFT JOIN ...": a join under a LEFT join is LEFT too.
    std::string text() const {
        std::string out;
        for (const Join& j : joins_) {
            out += left(j) ? " LEFT JOIN " : " JOIN ";
            out += j.on;
        }
        return out;
    }

private:
    struct Join {
        std::string key, alias, parent, on;
        bool left = false;
        bool many = false;
    };
    bool left(const Join& j) const {
        if (j.left) return true;
        for (const Join& p : joins_)
            if (p.alias == j.parent) return left(p);
        return false;
    }
    std::string base_;
    std::vector<Join> joins_;
};

class Printer {
public:
    explicit Printer(const Query& query) : q_(query), m_(query.model()), joins_(quote_identifier(m_.table)) {
        if (!q_.source_pairs().empty()) param(q_.source_keys());  // ?1, as the pairs' SELECT has it
    }

    Sql take() { return std::move(out_); }
    std::string& text() { return out_.text; }

    std::string param(const Value& v) {
        out_.params.push_back(v);
        return fmt::format("?{}", out_.params.size());
    }

    std::string table() const { return quote_identifier(m_.table); }

    // "table"."column" (qualified = true) or "column".
    std::string column(const Column& c, bool qualified = true) const {
        return qualified ? table() + "." + quote_identifier(c.name) : quote_identifier(c.name);
    }

    // The SQL of a path's column, adding the joins it crosses to `joins`. left: the use keeps rows
    // that have no related row (LEFT JOIN); many_group: the key of multi-valued joins (a filter()
    // call, or -1: their own for aggregates).
    std::string path_column(Joins& joins, const FieldPath& path, bool left, int many_group) {
        std::string alias = joins.base();
        const bool optional = left;
        for (std::size_t i = 0; i < path.hops.size(); ++i) {
            const RelationLink& l = path.hops[i];
            const bool last = i + 1 == path.hops.size();
            const std::string key = fmt::format("{}.{}{}", l.from->table, l.accessor, l.many ? "#" + std::to_string(many_group) : "");
            if (l.through_junction()) {
                const std::string junction =
                    joins.join(alias, key, l.junction, l.junction_from, l.from_column->name, optional, true, aliases_);
                if (last && path.column == l.to_column) return junction + "." + quote_identifier(l.junction_to);
                alias = joins.join(junction, key + ">", l.to->table, l.to_column->name, l.junction_to, optional, true,
                                   aliases_);
            } else {
                alias = joins.join(alias, key, l.to->table, l.to_column->name, l.from_column->name, optional, l.many,
                                   aliases_);
            }
        }
        return alias + "." + quote_identifier(path.column->name);
    }

    void where(const std::string& prefix = " WHERE ") {
        std::vector<std::string> terms;
        if (const RelationLink* link = q_.related_link()) terms.push_back(related_condition(*link));
        const auto& calls = q_.filter_calls();
        for (std::size_t i = 0; i < calls.size(); ++i) {
            Expr e = filter_call(calls[i], static_cast<int>(i));
            terms.push_back(e.atomic || calls.size() + terms.size() == 1 ? e.text : "(" + e.text + ")");
        }
        if (terms.empty()) return;
        out_.text += prefix;
        for (std::size_t i = 0; i < terms.size(); ++i) {
            if (i) out_.text += " AND ";
            out_.text += terms[i];
        }
    }

    // A related manager's rows: the reverse ForeignKey's key, or the junction's pairs.
    std::string related_condition(const RelationLink& link) {
        const std::string owner = param(q_.related_owner());
        if (!link.through_junction()) return fmt::format("{} = {}", column(*link.to_column), owner);
        return fmt::format("{} IN (SELECT {} FROM {} WHERE {} = {})", column(*link.to_column),
                           quote_identifier(link.junction_to), quote_identifier(link.junction),
                           quote_identifier(link.junction_from), owner);
    }

    // Whether a condition is met by NULL (isnull, exact None): across a relation it needs the
    // LEFT JOIN that keeps the rows without a related row.
    static bool null_matches(const Condition& c) {
        return (c.lookup == Lookup::IsNull && std::get<std::int64_t>(c.values[0]) != 0) ||
               ((c.lookup == Lookup::Exact || c.lookup == Lookup::IExact) && is_null(c.values[0]));
    }

    // The conditions of a pure conjunction (ANDs of conditions, no OR or NOT); false otherwise.
    static bool conjunction(const Filter& f, std::vector<const Condition*>& out) {
        switch (f.kind()) {
            case Filter::Kind::Condition: out.push_back(&f.condition()); return true;
            case Filter::Kind::And:
                for (const Filter& child : f.children())
                    if (!conjunction(child, out)) return false;
                return true;
            default: return false;
        }
    }

    // One filter() call. In a pure conjunction of a query of rows (no aggregate), the conditions
    // across a ManyToMany are written as one IN subquery per relation crossed ("books"."id" IN
    // (SELECT "T2"."book_id" FROM "books_categories" AS "T2" JOIN "categories" ... WHERE ...)),
    // rather than joins to make DISTINCT: the same rows, but SQLite plans the join by scanning
    // every row of the outer table, and the subquery as the hand-written query. Conditions of the
    // call on the same relation share the subquery, so that one related row meets them all
    // (Django's rule). Anything else (OR, NOT, aggregates, conditions NULL meets) joins as before.
    Expr filter_call(const Filter& f, int group) {
        const Context ctx{false, true, group};
        std::vector<const Condition*> conditions;
        if (!q_.aggregates().empty() || !conjunction(f, conditions)) return filter(f, ctx);
        struct Term {
            const Condition* condition;
            FieldPath path;
            std::string relation;  // the path up to its first multi-valued hop, if a ManyToMany
        };
        std::vector<Term> terms;
        std::vector<std::string> joined;  // relations that some condition joins anyway
        for (const Condition* c : conditions) {
            Term t{c, resolve_path(m_, c->path, c->expression()), {}};
            std::size_t k = 0;
            while (k < t.path.hops.size() && !t.path.hops[k].many) ++k;
            if (k < t.path.hops.size()) {
                std::string relation;
                for (std::size_t i = 0; i <= k; ++i) relation += t.path.hops[i].from->table + "." + t.path.hops[i].accessor + "/";
                if (t.path.hops[k].through_junction() && !null_matches(*c))
                    t.relation = std::move(relation);
                else
                    joined.push_back(std::move(relation));
            }
            terms.push_back(std::move(t));
        }
        for (Term& t : terms)
            if (std::find(joined.begin(), joined.end(), t.relation) != joined.end()) t.relation.clear();
        if (std::all_of(terms.begin(), terms.end(), [](const Term& t) { return t.relation.empty(); }))
            return filter(f, ctx);
        std::vector<std::string> printed;  // the relations whose subquery is written
        std::string text;
        for (const Term& t : terms) {
            std::string term;
            if (t.relation.empty()) {
                Expr e = condition(*t.condition, ctx);
                term = e.atomic ? e.text : "(" + e.text + ")";
            } else if (std::find(printed.begin(), printed.end(), t.relation) == printed.end()) {
                printed.push_back(t.relation);
                std::vector<const Term*> same;
                for (const Term& u : terms)
                    if (u.relation == t.relation) same.push_back(&u);
                term = in_junction(same, group);
            } else {
                continue;
            }
            text += (text.empty() ? "" : " AND ") + term;
        }
        return {std::move(text), terms.size() == 1};
    }

    // <the key of the relation's source> IN (SELECT junction.from FROM junction [JOIN target ...]
    // WHERE <every condition>): the conditions of one filter() call across one ManyToMany.
    template <class Term>
    std::string in_junction(const std::vector<const Term*>& terms, int group) {
        const FieldPath& first = terms.front()->path;
        std::size_t k = 0;
        while (!first.hops[k].many) ++k;
        const RelationLink& l = first.hops[k];
        const FieldPath before{{first.hops.begin(), first.hops.begin() + static_cast<std::ptrdiff_t>(k)}, l.from_column};
        const std::string outer = path_column(joins_, before, false, group);
        const std::string alias = quote_identifier("T" + std::to_string(++aliases_));
        Joins inner(alias);
        std::optional<Joins> nested;  // from the relation's target, once a condition needs it
        std::string conditions;
        for (const Term* t : terms) {
            const FieldPath rest{{t->path.hops.begin() + static_cast<std::ptrdiff_t>(k) + 1, t->path.hops.end()},
                                 t->path.column};
            std::string name;
            if (rest.hops.empty() && rest.column == l.to_column) {
                name = alias + "." + quote_identifier(l.junction_to);  // the related key: no join
            } else {
                if (!nested)
                    nested.emplace(inner.join(alias, "to", l.to->table, l.to_column->name, l.junction_to, false, false,
                                              aliases_));
                name = path_column(*nested, rest, false, group);
            }
            conditions += (conditions.empty() ? "" : " AND ") + compare(name, false, *t->condition, false).text;
        }
        many_filter_ = true;
        return fmt::format("{} IN (SELECT {}.{} FROM {} AS {}{}{} WHERE {})", outer, alias,
                           quote_identifier(l.junction_from), quote_identifier(l.junction), alias, inner.text(),
                           nested ? nested->text() : std::string(), conditions);
    }

    Expr filter(const Filter& f, Context ctx) {
        switch (f.kind()) {
            case Filter::Kind::Condition: return condition(f.condition(), ctx);
            case Filter::Kind::Not: {
                Context inner{!ctx.negated, false, ctx.group};
                return {"NOT (" + filter(f.children()[0], inner).text + ")", true};
            }
            case Filter::Kind::And:
            case Filter::Kind::Or: {
                const char* op = f.kind() == Filter::Kind::And ? " AND " : " OR ";
                Context inner = ctx;
                inner.conjunctive = ctx.conjunctive && f.kind() == Filter::Kind::And;
                std::string text;
                for (const Filter& child : f.children()) {
                    if (!text.empty()) text += op;
                    Expr e = filter(child, inner);
                    text += e.atomic ? e.text : "(" + e.text + ")";
                }
                return {std::move(text), false};
            }
        }
        return {"1", true};
    }

    Expr condition(const Condition& c, Context ctx) {
        const FieldPath path = resolve_path(m_, c.path, c.expression());
        if (path.many() && ctx.negated) return {exists(path, c), true};
        // An inner join drops the rows without a related row: right for a condition they cannot
        // meet, wrong under OR / NOT or for a lookup that NULL meets (isnull, exact None).
        const std::string name =
            path_column(joins_, path, !ctx.conjunctive || ctx.negated || null_matches(c), ctx.group);
        return compare(name, path.column->nullable || path.optional(), c, ctx.negated);
    }

    // EXISTS (SELECT 1 FROM <first multi-valued hop> ... WHERE <correlation> AND <condition>):
    // how a condition across a multi-valued relation is negated (Django's exclude() subquery), so
    // that "exclude(categories__name='x')" drops every book that has such a category.
    std::string exists(const FieldPath& path, const Condition& c) {
        std::size_t first_many = 0;
        while (!path.hops[first_many].many) ++first_many;
        FieldPath before{{path.hops.begin(), path.hops.begin() + static_cast<std::ptrdiff_t>(first_many)}, nullptr};
        const RelationLink& l = path.hops[first_many];
        before.column = l.from_column;
        const std::string outer = path_column(joins_, before, true, -1);
        const std::string alias = quote_identifier("T" + std::to_string(++aliases_));
        std::string from;
        std::string correlation;
        Joins inner(alias);
        FieldPath rest{{path.hops.begin() + static_cast<std::ptrdiff_t>(first_many), path.hops.end()}, path.column};
        if (l.through_junction()) {
            from = quote_identifier(l.junction) + " AS " + alias;
            correlation = fmt::format("{}.{} = {}", alias, quote_identifier(l.junction_from), outer);
            // The junction is the subquery's base: continue from the hop's target.
            const bool to_key_only = rest.hops.size() == 1 && rest.column == l.to_column;
            rest.hops.erase(rest.hops.begin());
            if (to_key_only) {
                return fmt::format("EXISTS (SELECT 1 FROM {} WHERE {} AND {})", from, correlation,
                                   compare(alias + "." + quote_identifier(l.junction_to), false, c, false).text);
            }
            const std::string target = inner.join(alias, "to", l.to->table, l.to_column->name, l.junction_to, false,
                                                  false, aliases_);
            Joins nested(target);
            const std::string name = path_column(nested, rest, false, -1);
            return fmt::format("EXISTS (SELECT 1 FROM {}{}{} WHERE {} AND {})", from, inner.text(), nested.text(),
                               correlation, compare(name, false, c, false).text);
        }
        from = quote_identifier(l.to->table) + " AS " + alias;
        correlation = fmt::format("{}.{} = {}", alias, quote_identifier(l.to_column->name), outer);
        rest.hops.erase(rest.hops.begin());
        const std::string name = path_column(inner, rest, false, -1);
        return fmt::format("EXISTS (SELECT 1 FROM {}{} WHERE {} AND {})", from, inner.text(), correlation,
                           compare(name, false, c, false).text);
    }

    // One lookup on the SQL expression `name`. can_be_null: the expression may be NULL (a
    // nullable column, or one reached through a LEFT JOIN).
    Expr compare(const std::string& name, bool can_be_null, const Condition& c, bool negated) {
        const Value& v = c.values.empty() ? null_ : c.values[0];
        std::string text;
        auto like = [&](const char* prefix, const char* suffix) {
            return fmt::format("{} LIKE {} ESCAPE '\\'", name,
                               param(prefix + escape_like(as_text(v, c)) + suffix));
        };
        switch (c.lookup) {
            case Lookup::Exact:
                if (is_null(v)) {
                    text = name + " IS NULL";
                    can_be_null = false;
                } else {
                    text = fmt::format("{} = {}", name, param(v));
                }
                break;
            case Lookup::IExact:
                if (is_null(v)) {
                    text = name + " IS NULL";
                    can_be_null = false;
                } else {
                    text = like("", "");
                }
                break;
            case Lookup::Contains: text = fmt::format("instr({}, {}) > 0", name, param(as_text(v, c))); break;
            case Lookup::IContains: text = like("%", "%"); break;
            case Lookup::StartsWith: {
                const std::string p = param(as_text(v, c));
                text = fmt::format("substr({0}, 1, length({1})) = {1}", name, p);
                break;
            }
            case Lookup::IStartsWith: text = like("", "%"); break;
            case Lookup::EndsWith: {
                const std::string p = param(as_text(v, c));
                text = fmt::format("substr({0}, length({0}) - length({1}) + 1) = {1}", name, p);
                break;
            }
            case Lookup::IEndsWith: text = like("%", ""); break;
            case Lookup::Gt: text = fmt::format("{} > {}", name, param(v)); break;
            case Lookup::Gte: text = fmt::format("{} >= {}", name, param(v)); break;
            case Lookup::Lt: text = fmt::format("{} < {}", name, param(v)); break;
            case Lookup::Lte: text = fmt::format("{} <= {}", name, param(v)); break;
            case Lookup::In: {
                if (c.values.empty()) {
                    text = "0";
                    can_be_null = false;
                    break;
                }
                text = name + " IN (";
                for (std::size_t i = 0; i < c.values.size(); ++i) {
                    if (i) text += ", ";
                    text += param(c.values[i]);
                }
                text += ")";
                break;
            }
            case Lookup::IsNull:
                text = name + (std::get<std::int64_t>(v) ? " IS NULL" : " IS NOT NULL");
                can_be_null = false;
                break;
            case Lookup::Range: {
                const std::string low = param(c.values[0]);  // in order: ?n before ?n+1
                const std::string high = param(c.values[1]);
                text = fmt::format("{} BETWEEN {} AND {}", name, low, high);
                break;
            }
        }
        if (negated && can_be_null) return {fmt::format("{} AND {} IS NOT NULL", text, name), false};
        return {std::move(text), true};
    }

    // The selected columns (values() or the model's).
    std::vector<const Column*> selected_columns() const {
        std::vector<const Column*> out;
        if (!q_.value_fields().empty()) {
            for (const auto& f : q_.value_fields()) out.push_back(&resolve_field(m_, f));
        } else {
            for (const Column& c : m_.columns) out.push_back(&c);
        }
        return out;
    }

    std::string aggregate(const Aggregate& a, bool qualified) {
        static constexpr const char* functions[] = {"count", "sum", "avg", "min", "max"};
        std::string argument = "*";
        if (!a.field.empty()) {
            const FieldPath path = resolve_path(m_, split_path(a.field), a.field);
            argument = path.hops.empty() ? column(*path.column, qualified) : path_column(joins_, path, true, -1);
        }
        return fmt::format("{}({}{}) AS {}", functions[static_cast<int>(a.function)],
                           a.distinct ? "DISTINCT " : "", argument, quote_identifier(a.name()));
    }

    void order_by() {
        const auto& ordering = q_.ordering();
        if (ordering.empty()) return;
        std::string text = " ORDER BY ";
        bool first = true;
        for (const std::string& item : ordering) {
            if (!first) text += ", ";
            first = false;
            if (item == "?") {
                text += "random()";
                continue;
            }
            std::string_view field = item;
            const bool descending = field.starts_with('-');
            if (descending) field.remove_prefix(1);
            bool alias = false;
            for (const Aggregate& a : q_.aggregates())
                if (a.name() == field) alias = true;
            if (alias) {
                text += quote_identifier(field);
            } else {
                const FieldPath path = resolve_path(m_, split_path(field), field);
                text += path_column(joins_, path, path.optional(), -1);
            }
            text += descending ? " DESC" : " ASC";
        }
        out_.text += text;
    }

    void limit() {
        if (q_.limit()) {
            const Value limit{*q_.limit()};
            out_.text += " LIMIT " + param(limit);
        } else if (q_.offset() != 0) {
            out_.text += " LIMIT -1";
        }
        if (q_.offset() != 0) {
            const Value offset{q_.offset()};
            out_.text += " OFFSET " + param(offset);
        }
    }

    // The select_related hops' columns, in select_related_plan() order.
    std::vector<std::string> related_columns() {
        std::vector<std::string> out;
        std::vector<std::string> aliases;
        for (const SelectedRelation& hop : select_related_plan(q_)) {
            const std::string& parent = hop.parent == SelectedRelation::root ? joins_.base() : aliases[hop.parent];
            const RelationLink& l = hop.link;
            const bool left = hop.optional;
            aliases.push_back(joins_.join(parent, l.from->table + "." + l.accessor, l.to->table, l.to_column->name,
                                          l.from_column->name, left, false, aliases_));
            for (const Column& c : l.to->columns) out.push_back(aliases.back() + "." + quote_identifier(c.name));
        }
        return out;
    }

    // FROM "t", or the prefetch form: FROM (<pairs>) AS "r" JOIN "t" ON "t"."k" = "r"."target", the
    // extension's pairs of the relation for the parents' keys (?1, one JSON array). SQLite flattens
    // the subquery into the join.
    std::string from() {
        if (q_.source_pairs().empty()) return " FROM " + table();
        return fmt::format(" FROM ({}) AS \"r\" JOIN {} ON {} = \"r\".\"target\"", q_.source_pairs(), table(),
                           column(*q_.source_key()));
    }

    // SELECT [DISTINCT] <columns> FROM "t" <joins> [WHERE] [GROUP BY] [ORDER BY] [LIMIT OFFSET]
    // (rows: without the aggregates of an ungrouped aggregate() query; keys_only: just the
    // primary key, for UPDATE ... WHERE pk IN).
    void select(bool ordered, bool rows_only = false) {
        const bool grouped = !rows_only && q_.is_grouped();
        std::vector<std::string> items;
        if (q_.selects_source()) items.push_back("\"r\".\"source\"");
        if (rows_only || q_.aggregates().empty() || grouped)
            for (const Column* c : selected_columns()) items.push_back(column(*c));
        const bool objects = q_.value_fields().empty() && q_.aggregates().empty();
        if (objects && !rows_only)
            for (std::string& c : related_columns()) items.push_back(std::move(c));
        if (!rows_only)
            for (const Aggregate& a : q_.aggregates()) items.push_back(aggregate(a, true));
        const std::size_t before = out_.text.size();
        where();
        std::string tail = out_.text.substr(before);
        out_.text.resize(before);
        if (grouped) {
            tail += " GROUP BY ";
            bool first = true;
            for (const Column* c : selected_columns()) {
                if (!first) tail += ", ";
                first = false;
                tail += column(*c);
            }
        }
        const std::size_t mark = out_.text.size();
        if (ordered && (rows_only || q_.aggregates().empty() || grouped)) order_by();
        limit();
        tail += out_.text.substr(mark);
        out_.text.resize(mark);
        // Joins are known only now: a multi-valued filter join makes rows repeat (DISTINCT). A
        // ManyToMany filter written as a subquery repeats none, but keeps the DISTINCT a filter
        // across a relation to several objects has always had (SQLite finds it cheap here: the
        // rows are distinct by their key).
        const bool distinct = q_.is_distinct() || (q_.aggregates().empty() && joins_many());
        out_.text += distinct ? "SELECT DISTINCT " : "SELECT ";
        out_.text += fmt::format("{}", fmt::join(items, ", "));
        out_.text += from() + joins_.text() + tail;
    }

    // An ungrouped aggregate(): over the table, or over a subquery of its rows when the rows are
    // sliced or distinct.
    void aggregate_select() {
        if (!q_.is_sliced() && !q_.is_distinct()) {
            select(false);
            return;
        }
        std::vector<std::string> items;
        for (const Aggregate& a : q_.aggregates()) items.push_back(aggregate(a, false));
        out_.text += "SELECT " + fmt::format("{}", fmt::join(items, ", ")) + " FROM (";
        select(true, true);
        out_.text += ")";
    }

    void any_select() {
        if (!q_.aggregates().empty() && !q_.is_grouped())
            aggregate_select();
        else
            select(true);
    }

    // FROM "t" <joins> [WHERE ...] of count / exists / update / delete; whether it joins.
    std::string from_where() {
        const std::size_t before = out_.text.size();
        where();
        std::string tail = out_.text.substr(before);
        out_.text.resize(before);
        return from() + joins_.text() + tail;
    }
    bool joins_many() const { return joins_.any_many() || many_filter_; }
    bool joins() const { return !joins_.empty(); }

private:
    const Query& q_;
    const ModelInfo& m_;
    Sql out_;
    Joins joins_;
    int aliases_ = 0;
    const Value null_{nullptr};
    bool many_filter_ = false;  // a filter crossed a multi-valued relation as a subquery
};

}  // namespace

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char ch : name) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
    return out;
}

std::string escape_like(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
        out += ch;
    }
    return out;
}

Sql print_select(const Query& query) {
    Printer p(query);
    p.any_select();
    return p.take();
}

Sql print_count(const Query& query) {
    Printer p(query);
    if (!query.is_sliced() && !query.is_distinct() && query.aggregates().empty()) {
        const std::string tail = p.from_where();
        // Rows repeated by a multi-valued join count once.
        const Column& pk = query.model().columns[query.model().primary_key];
        p.text() += p.joins_many() ? fmt::format("SELECT count(DISTINCT {})", p.column(pk)) : "SELECT count(*)";
        p.text() += tail;
    } else {
        p.text() += "SELECT count(*) FROM (";
        if (!query.aggregates().empty() && !query.is_grouped())
            p.aggregate_select();
        else
            p.select(false);
        p.text() += ")";
    }
    return p.take();
}

Sql print_exists(const Query& query) {
    Printer p(query);
    if (!query.is_sliced() && query.aggregates().empty()) {
        p.text() += "SELECT 1" + p.from_where() + " LIMIT 1";
    } else {
        p.text() += "SELECT 1 FROM (";
        if (!query.aggregates().empty() && !query.is_grouped())
            p.aggregate_select();
        else
            p.select(false);
        p.text() += ") LIMIT 1";
    }
    return p.take();
}

namespace {
// " WHERE ..." of an UPDATE / DELETE: the conditions, or, when they cross relations (SQLite's
// UPDATE and DELETE take no joins), "pk IN (SELECT pk FROM ... joins ... WHERE ...)".
std::string write_condition(Printer& p, const Query& query) {
    std::string tail = p.from_where();
    if (!p.joins()) {
        const std::string from = " FROM " + p.table();
        return tail.substr(from.size());
    }
    const Column& pk = query.model().columns[query.model().primary_key];
    return fmt::format(" WHERE {} IN (SELECT {}{})", p.column(pk, false), p.column(pk), tail);
}
}  // namespace

Sql print_update(const Query& query) {
    if (query.assignments().empty())
        fail(fmt::format("covet: update() of {} needs at least one field", query.model().name));
    Printer p(query);
    std::string text = "UPDATE " + p.table() + " SET ";
    bool first = true;
    for (const Assignment& a : query.assignments()) {
        if (!first) text += ", ";
        first = false;
        const Column& c = resolve_field(query.model(), a.field);
        text += p.column(c, false) + " = " + p.param(a.value);
    }
    text += write_condition(p, query);
    p.text() = std::move(text);
    return p.take();
}

Sql print_delete(const Query& query) {
    Printer p(query);
    std::string text = "DELETE FROM " + p.table() + write_condition(p, query);
    p.text() = std::move(text);
    return p.take();
}

std::vector<SelectedRelation> select_related_plan(const Query& query) {
    std::vector<SelectedRelation> plan;
    int column = static_cast<int>(query.model().columns.size()) + (query.selects_source() ? 1 : 0);
    for (const std::vector<std::string>& path : query.select_related_paths()) {
        std::size_t parent = SelectedRelation::root;
        const ModelInfo* current = &query.model();
        bool optional = false;
        for (const std::string& name : path) {
            RelationLink link = detail::require_link(*current, name);
            optional = optional || link.optional;
            std::size_t found = SelectedRelation::root;
            for (std::size_t i = 0; i < plan.size(); ++i)
                if (plan[i].parent == parent && plan[i].link.from == link.from && plan[i].link.accessor == link.accessor)
                    found = i;
            if (found == SelectedRelation::root) {
                SelectedRelation hop{parent, link, optional, member_caching(link), column};
                column += static_cast<int>(link.to->columns.size());
                plan.push_back(std::move(hop));
                found = plan.size() - 1;
            }
            parent = found;
            current = link.to;
        }
    }
    return plan;
}

std::size_t member_caching(const RelationLink& link) {
    if (!link.reverse) return link.relation->member;
    for (const ReverseField& f : link.from->reverse_fields)
        if (f.field == link.accessor) return f.member;
    fail(fmt::format("covet: {} has no member to cache its '{}' in: declare covet::ReverseOne<{}> {}; in {}",
                     link.from->name, link.accessor, link.to->name, link.accessor, link.from->name));
}

Sql to_sql(const Query& query) {
    switch (query.action()) {
        case Query::Action::Select: return print_select(query);
        case Query::Action::Count: return print_count(query);
        case Query::Action::Exists: return print_exists(query);
        case Query::Action::Update: return print_update(query);
        case Query::Action::Delete: return print_delete(query);
    }
    return print_select(query);
}

}  // namespace covet
