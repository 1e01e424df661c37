// covet::QuerySet<T>: Django's QuerySet for model T. Lazy and immutable: it holds the Database
// and a Query (query.hpp), every builder returns a new QuerySet, and nothing runs until it is
// iterated or a terminal method (count, exists, first, get, update, remove, aggregate, ...) is
// called. Iteration streams: one row at a time is read into one T owned by the iterator.
//
//   using covet::f;
//   for (const Author& a : db.objects<Author>().filter(f<&Author::name>.startswith("A")).order_by("-email"))
//       fmt::print("{}\n", a.name);
//   auto n = db.objects<Author>().filter("email__icontains", "example").count();
//   std::optional<Book> longest = db.objects<Book>().order_by(-f<&Book::pages>).first();
//   for (auto [author, books] : db.objects<Book>().values<&Book::author_id>().annotate(covet::count_rows()))
//       ...
//   db.objects<Book>().filter(f<&Book::pages> < 10).update(f<&Book::pages> = 10);
//   covet::DeleteResult r = db.objects<Author>().filter(f<&Author::id> == 1).remove();  // cascades
//
// Only the conversions are templates (typed arguments -> Values / Filters, rows -> T / tuples);
// SQL printing (sql_printer.hpp) and execution (queryset.cpp) are compiled once.
#pragma once

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/filter.hpp>
#include <covet/model.hpp>
#include <covet/query.hpp>
#include <covet/sql_printer.hpp>
#include <covet/value.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace covet {

// What remove() (and crud's delete) did: every row removed, cascades included, by table.
struct DeleteResult {
    std::int64_t total = 0;
    std::map<std::string, std::int64_t> per_table;  // table name -> rows removed (none: absent)

    // The same counts by model name, as Django's delete() reports them ("Book": 2,
    // "Book_categories": 3 for an automatic junction); a table no model migrated on db describes
    // keeps its table name.
    std::map<std::string, std::int64_t> per_model(Database& db) const;

    friend bool operator==(const DeleteResult&, const DeleteResult&) = default;
};

template <class T, class Item>
class ValuesQuerySet;

namespace detail {

// ---- Non-template execution (queryset.cpp) ------------------------------------------------------

// Runs print_select(query) and returns its cursor (the rows are read as it steps).
Cursor open_select(Database& db, const Query& query);
std::int64_t run_count(Database& db, const Query& query);
bool run_exists(Database& db, const Query& query);
// UPDATE: the number of rows changed.
std::int64_t run_update(Database& db, const Query& query, std::vector<Assignment> assignments);
// SELECT covet_delete(table, (the primary keys of the query's rows)): one statement, Django's
// collector semantics (cascades, SET_NULL, PROTECT/RESTRICT raise ProtectedError/RestrictedError).
DeleteResult run_delete(Database& db, const Query& query);
// The one row of query.aggregate(aggregates), in order.
std::vector<Value> run_aggregate(Database& db, const Query& query, std::vector<Aggregate> aggregates);
// Parses covet_delete()'s {"total": N, "per_table": {"t": n, ...}}; covet::Error if malformed.
DeleteResult delete_result_from_json(std::string_view json);

// [:1] of the query ordered as it is, or by the primary key when it has no ordering (Django).
Query first_query(const Query& query);
// The same with the ordering reversed (by -pk when there is none).
Query last_query(const Query& query);
// Every term of the ordering in force reversed ("-x" <-> "x").
Query reversed(const Query& query);
// get(): unordered, [:21] as Django (MAX_GET_RESULTS).
Query get_query(const Query& query);
inline constexpr std::int64_t max_get_results = 21;
[[noreturn]] void throw_query_does_not_exist(const Query& query);
[[noreturn]] void throw_query_multiple(const Query& query, std::int64_t found);
// How a filter reads in an error message: name__startswith='A' AND pages__gt=3.
std::string describe_filter(const Filter& filter);

// ---- Per-row conversion ---------------------------------------------------------------------------

// One result column as R: covet::Value as is, anything else with its field_traits.
template <class R>
R read_column(const Row& row, int column) {
    if constexpr (std::is_same_v<R, Value>) {
        return row.value(column);
    } else {
        return traits<R>::read(row.handle(), column);
    }
}

// An aggregate's Value as R.
template <class R>
R from_result(const Value& value) {
    if constexpr (std::is_same_v<R, Value>) {
        return value;
    } else {
        return traits<R>::from_value(value);
    }
}

// How the rows of a query become objects of its model: the model's columns, then those of each
// select_related() hop into the cached related objects, and every relation member told where its
// object came from (queryset.cpp).
class ModelReader {
public:
    ModelReader(Database& db, const Query& query);
    void read(sqlite3_stmt* stmt, void* object) const;

private:
    const ModelInfo* model_;
    std::vector<SelectedRelation> hops_;
    // Where this evaluation's objects came from, shared by all of them: the model's, then each
    // hop's (its link.to's).
    std::vector<Provenances> from_;
    int first_column_;  // 1 when the first column is related()'s source (most prefetch queries)
};

// prefetch_related(): one query per relation of each path, over all the objects at once; fills
// the members that cache them (queryset.cpp). `objects` are count objects of `model`, `stride`
// bytes apart.
void run_prefetches(Database& db, const ModelInfo& model, void* objects, std::size_t stride, std::size_t count,
                    const std::vector<Prefetch>& prefetches);

template <class Item>
struct row_reader {
    // A model: every column, in ModelInfo order, into the reused object (and its relations).
    static void read(const Row& row, Item& item, const ModelReader* reader) {
        if (reader != nullptr) {
            reader->read(row.handle(), &item);
        } else {
            covet::read_row(item, row.handle(), 0);
        }
    }
};

template <class... E>
struct row_reader<std::tuple<E...>> {
    static void read(const Row& row, std::tuple<E...>& item, const ModelReader*) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((std::get<I>(item) = read_column<E>(row, static_cast<int>(I))), ...);
        }(std::index_sequence_for<E...>{});
    }
};

// What values<>() reads for a member: a ForeignKey / OneToOne gives its key.
template <class M>
struct stored {
    using type = M;
};
template <relation_column M>
struct stored<M> {
    using type = typename M::key_type;
};
template <class M>
using stored_t = typename stored<M>::type;

template <class Item>
inline constexpr bool is_model_item = true;
template <class... E>
inline constexpr bool is_model_item<std::tuple<E...>> = false;

template <class A>
struct aggregate_result {
    using type = Value;  // a plain covet::Aggregate (Count("x"), Sum("y")): read as a Value
};
template <class R>
struct aggregate_result<TypedAggregate<R>> {
    using type = R;
};

inline Aggregate untyped(const Aggregate& a) { return a; }
template <class R>
Aggregate untyped(const TypedAggregate<R>& a) {
    return a.aggregate;
}

template <class A>
concept aggregate_like = std::same_as<A, Aggregate> || requires { typename A::result_type; };

// order_by()'s terms: strings ("-name"), f<&T::x>, -f<&T::x>.
template <class T, class O>
std::string order_term(const O& o) {
    if constexpr (std::is_convertible_v<const O&, std::string_view>) {
        return std::string(std::string_view(o));
    } else {
        static_assert(std::is_convertible_v<const O&, Ordering<T>>,
                      "covet: order_by() takes field names (\"-name\") or f<&T::member> / -f<&T::member> of this "
                      "QuerySet's model");
        return static_cast<Ordering<T>>(o).term;
    }
}

}  // namespace detail

// The input iterator of a query set: owns the running Cursor and the one Item each row is read
// into (or, after prefetch_related, the objects read and prefetched beforehand, and then no Item
// of its own: iterating a prefetched member constructs no object). Move-only; destroying it (e.g.
// on `break`) releases the statement.
template <class Item>
class RowIterator {
public:
    using value_type = Item;
    using reference = const Item&;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::input_iterator_tag;

    RowIterator() = default;
    explicit RowIterator(Cursor cursor, std::shared_ptr<const detail::ModelReader> reader = nullptr)
        : cursor_(std::move(cursor)), reader_(std::move(reader)), item_(std::in_place) {
        advance();
    }
    explicit RowIterator(std::shared_ptr<std::vector<Item>> items) : items_(std::move(items)) {
        if (items_->empty()) items_.reset();
    }
    RowIterator(RowIterator&&) noexcept = default;
    RowIterator& operator=(RowIterator&&) noexcept = default;
    RowIterator(const RowIterator&) = delete;
    RowIterator& operator=(const RowIterator&) = delete;
    ~RowIterator() = default;

    const Item& operator*() const noexcept { return items_ ? (*items_)[index_] : *item_; }
    const Item* operator->() const noexcept { return &**this; }
    RowIterator& operator++() {
        advance();
        return *this;
    }
    void operator++(int) { advance(); }
    friend bool operator==(const RowIterator& it, std::default_sentinel_t) noexcept { return !it.cursor_ && !it.items_; }

    // Moves the current item out (to_vector, first, get).
    Item take() { return items_ ? std::move((*items_)[index_]) : std::move(*item_); }

private:
    void advance() {
        if (items_) {
            if (++index_ == items_->size()) items_.reset();
        } else if (cursor_->next()) {
            detail::row_reader<Item>::read(cursor_->row(), *item_, reader_.get());
        } else {
            cursor_.reset();
        }
    }
    std::optional<Cursor> cursor_;
    std::shared_ptr<const detail::ModelReader> reader_;
    std::optional<Item> item_;  // a cursor's current row
    std::shared_ptr<std::vector<Item>> items_;
    std::size_t index_ = 0;
};

namespace detail {

// What QuerySet<T> and ValuesQuerySet<T, tuple> share: the builders, iteration and the terminal
// methods that return rows. Derived is the set type the builders return.
template <class T, class Item, class Derived>
class BasicQuerySet {
public:
    using model_type = T;
    using value_type = Item;
    using iterator = RowIterator<Item>;

    BasicQuerySet(Database& db, Query query) : db_(&db), query_(std::move(query)) {}

    const Query& query() const noexcept { return query_; }
    Database& database() const noexcept { return *db_; }
    // The SELECT that iterating would run.
    Sql sql() const { return print_select(query_); }

    // ---- Builders: each returns a new set ---------------------------------------------------------

    [[nodiscard]] Derived all() const { return make(query_); }

    template <class U>
    [[nodiscard]] Derived filter(const TypedFilter<U>& f) const {
        static_assert(std::is_same_v<U, T>, "covet: this filter is on a field of another model");
        return make(query_.filter(f.filter()));
    }
    [[nodiscard]] Derived filter(const Filter& f) const { return make(query_.filter(f)); }
    // Django's string lookups: filter("pages__gte", 200), filter("id__in", std::vector{1, 2}).
    template <class V>
    [[nodiscard]] Derived filter(std::string_view expression, const V& value) const {
        return make(query_.filter(Q(expression, detail::query_values(value))));
    }
    [[nodiscard]] Derived filter(std::string_view expression, std::initializer_list<Value> values) const {
        return make(query_.filter(Q(expression, std::vector<Value>(values))));
    }

    template <class U>
    [[nodiscard]] Derived exclude(const TypedFilter<U>& f) const {
        static_assert(std::is_same_v<U, T>, "covet: this filter is on a field of another model");
        return make(query_.exclude(f.filter()));
    }
    [[nodiscard]] Derived exclude(const Filter& f) const { return make(query_.exclude(f)); }
    template <class V>
    [[nodiscard]] Derived exclude(std::string_view expression, const V& value) const {
        return make(query_.exclude(Q(expression, detail::query_values(value))));
    }
    [[nodiscard]] Derived exclude(std::string_view expression, std::initializer_list<Value> values) const {
        return make(query_.exclude(Q(expression, std::vector<Value>(values))));
    }

    // order_by("-name", "id"), order_by(-f<&T::name>, f<&T::id>); order_by() clears the ordering
    // (the model's default included). "?" is random.
    template <class... O>
    [[nodiscard]] Derived order_by(const O&... terms) const {
        return make(query_.order_by(std::vector<std::string>{detail::order_term<T>(terms)...}));
    }
    [[nodiscard]] Derived reverse() const { return make(detail::reversed(query_)); }
    [[nodiscard]] Derived distinct(bool on = true) const { return make(query_.distinct(on)); }
    // Python's [start:stop]: slices compose (slice(2, 10).slice(1, 3) is [3:5]).
    [[nodiscard]] Derived slice(std::int64_t start, std::optional<std::int64_t> stop = std::nullopt) const {
        return make(query_.slice(start, stop));
    }
    [[nodiscard]] Derived limit(std::int64_t n) const { return make(query_.slice(0, n)); }
    [[nodiscard]] Derived offset(std::int64_t n) const { return make(query_.slice(n, std::nullopt)); }

    // ---- Running it ---------------------------------------------------------------------------

    iterator begin() const { return open(query_); }
    std::default_sentinel_t end() const noexcept { return {}; }

    std::vector<Item> to_vector() const {
        std::vector<Item> out;
        for (iterator it = begin(); it != end(); ++it) {
            out.push_back(it.take());
        }
        return out;
    }

    // The first row (ordered by the primary key when unordered); nullopt when there is none.
    std::optional<Item> first() const { return fetch_one(detail::first_query(query_)); }
    std::optional<Item> last() const { return fetch_one(detail::last_query(query_)); }

    // The only row; DoesNotExist / MultipleObjectsReturned name the model and the filter.
    Item get() const {
        const Query q = detail::get_query(query_);
        iterator it = open(q);
        if (it == end()) {
            detail::throw_query_does_not_exist(query_);
        }
        Item item = it.take();
        std::int64_t found = 1;
        for (++it; it != end(); ++it) {
            ++found;
        }
        if (found > 1) {
            detail::throw_query_multiple(query_, found);
        }
        return item;
    }
    template <class U>
    Item get(const TypedFilter<U>& f) const {
        return filter(f).get();
    }
    Item get(const Filter& f) const { return filter(f).get(); }
    template <class V>
    Item get(std::string_view expression, const V& value) const {
        return filter(expression, value).get();
    }

    // SELECT count(*): one query.
    std::int64_t count() const { return detail::run_count(*db_, query_); }
    // SELECT 1 ... LIMIT 1: one query.
    bool exists() const { return detail::run_exists(*db_, query_); }

    // aggregate(covet::Count(), covet::Sum("pages")): {"count": ..., "pages__sum": ...} as Values.
    std::map<std::string, Value> aggregate(const Aggregate& first, std::same_as<Aggregate> auto const&... rest) const {
        std::vector<Aggregate> list{first, rest...};
        std::vector<std::string> names;
        for (const Aggregate& a : list) {
            names.push_back(a.name());
        }
        std::vector<Value> row = detail::run_aggregate(*db_, query_, std::move(list));
        std::map<std::string, Value> out;
        for (std::size_t i = 0; i < names.size(); ++i) {
            out.emplace(std::move(names[i]), std::move(row[i]));
        }
        return out;
    }
    // aggregate(f<&Book::id>.count(), f<&Book::pages>.sum()): a tuple of typed results.
    template <class... R>
    std::tuple<R...> aggregate(const TypedAggregate<R>&... aggregates) const {
        static_assert(sizeof...(R) > 0, "covet: aggregate() needs at least one aggregate");
        std::vector<Value> row = detail::run_aggregate(*db_, query_, std::vector<Aggregate>{aggregates.aggregate...});
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return std::tuple<R...>{detail::from_result<R>(row[I])...};
        }(std::index_sequence_for<R...>{});
    }

protected:
    Derived make(Query q) const { return Derived(*db_, std::move(q)); }

    // Runs a query: streaming, or, with prefetch_related, every row first and then one query per
    // prefetched relation.
    iterator open(const Query& q) const {
        if constexpr (detail::is_model_item<Item>) {
            if (q.prefetches().empty()) {
                return iterator(detail::open_select(*db_, q), std::make_shared<const detail::ModelReader>(*db_, q));
            }
            // Each row read in place into the vector's new element (no object moved per row).
            const detail::ModelReader reader(*db_, q);
            auto items = std::make_shared<std::vector<Item>>();
            for (Cursor cursor = detail::open_select(*db_, q); cursor.next();) {
                reader.read(cursor.handle(), &items->emplace_back());
            }
            detail::run_prefetches(*db_, model_info<Item>(), items->data(), sizeof(Item), items->size(), q.prefetches());
            return iterator(std::move(items));
        } else {
            return iterator(detail::open_select(*db_, q));
        }
    }

    std::optional<Item> fetch_one(const Query& q) const {
        iterator it = open(q);
        if (it == end()) {
            return std::nullopt;
        }
        return it.take();  // the iterator, destroyed here, releases the statement
    }

    Database* db_;
    Query query_;
};

template <class T, auto Member>
constexpr void check_member() {
    static_assert(std::is_same_v<typename FieldRef<Member>::model_type, T>,
                  "covet: this aggregate names a field of another model");
}

}  // namespace detail

// Rows of selected fields (and annotations): values<&Book::author_id, &Book::pages>() iterates
// std::tuple<std::int64_t, int>; .annotate(aggregates...) groups by those fields and appends
// one column per aggregate.
template <class T, class Item>
class ValuesQuerySet : public detail::BasicQuerySet<T, Item, ValuesQuerySet<T, Item>> {
    using Base = detail::BasicQuerySet<T, Item, ValuesQuerySet<T, Item>>;

public:
    using Base::Base;

    // GROUP BY the values() fields: values<&Book::author_id>().annotate(covet::count_rows(),
    // f<&Book::pages>.sum()) -> tuple<int64, int64, optional<int64>>. Plain covet::Aggregate
    // arguments add a covet::Value column.
    template <detail::aggregate_like... A>
    [[nodiscard]] auto annotate(const A&... aggregates) const {
        using Annotated = decltype(std::tuple_cat(std::declval<Item>(),
                                                  std::declval<std::tuple<typename detail::aggregate_result<A>::type...>>()));
        return ValuesQuerySet<T, Annotated>(this->database(),
                                            this->query().annotate(std::vector<Aggregate>{detail::untyped(aggregates)...}));
    }
};

template <class T>
class QuerySet : public detail::BasicQuerySet<T, T, QuerySet<T>> {
    using Base = detail::BasicQuerySet<T, T, QuerySet<T>>;

public:
    // Every row of T (unfiltered; in meta<T>::ordering).
    explicit QuerySet(Database& db) : Base(db, Query(model_info<T>())) {}
    // A set over a given query on T's model.
    QuerySet(Database& db, Query query) : Base(db, std::move(query)) {}

    // Follows ForeignKey / OneToOne relations (and declared reverse OneToOnes) in the same query:
    // select_related<&Book::author, &Author::profile>() is the chain "author__profile";
    // select_related("author__profile", "editor") takes several paths. Reading b.author->profile
    // then runs no query.
    template <auto... Members>
    [[nodiscard]] QuerySet select_related() const {
        static_assert(sizeof...(Members) > 0, "covet: select_related<&T::relation, ...>() needs a relation");
        static_assert(std::is_same_v<typename FieldRef<Members...>::model_type, T>,
                      "covet: select_related<...>() starts at a relation of another model");
        return QuerySet(this->database(), this->query().select_related({std::string(member_name<Members>())...}));
    }
    template <class... P>
        requires(std::is_convertible_v<const P&, std::string_view> && ...)
    [[nodiscard]] QuerySet select_related(const P&... paths) const {
        Query q = this->query();
        ((q = q.select_related(split_path(std::string_view(paths)))), ...);
        return QuerySet(this->database(), std::move(q));
    }

    // Loads relations to several objects (reverse ForeignKeys, ManyToManys, reverse OneToOnes,
    // chains) after the rows, one query per relation: prefetch_related<&Book::categories>(),
    // prefetch_related("author__books__categories", covet::Prefetch("...", queryset, "to_attr")).
    template <auto... Members>
    [[nodiscard]] QuerySet prefetch_related() const {
        static_assert(sizeof...(Members) > 0, "covet: prefetch_related<&T::relation, ...>() needs a relation");
        static_assert(std::is_same_v<typename FieldRef<Members...>::model_type, T>,
                      "covet: prefetch_related<...>() starts at a relation of another model");
        return QuerySet(this->database(), this->query().prefetch_related(Prefetch(FieldRef<Members...>::name())));
    }
    template <class... P>
        requires(std::is_convertible_v<const P&, Prefetch> && ...)
    [[nodiscard]] QuerySet prefetch_related(const P&... prefetches) const {
        Query q = this->query();
        ((q = q.prefetch_related(Prefetch(prefetches))), ...);
        return QuerySet(this->database(), std::move(q));
    }

    // Tuples of the given fields: values<&Book::title, &Book::pages>() -> std::tuple<std::string, int>.
    template <auto... Members>
    [[nodiscard]] auto values() const {
        static_assert(sizeof...(Members) > 0, "covet: values<&T::a, ...>() needs at least one field");
        static_assert((std::is_same_v<typename FieldRef<Members>::model_type, T> && ...),
                      "covet: values<...>() names a field of another model");
        using Tuple = std::tuple<detail::stored_t<typename FieldRef<Members>::member_type>...>;
        return ValuesQuerySet<T, Tuple>(this->database(),
                                        this->query().values(std::vector<std::string>{FieldRef<Members>::name()...}));
    }

    // UPDATE ... SET: update(f<&Book::pages> = 300, f<&Book::title> = "x") or
    // update({{"pages", 300}}). Returns the number of rows changed.
    template <class... U>
    std::int64_t update(const TypedAssignment<U>&... assignments) const {
        static_assert(sizeof...(U) > 0, "covet: update() needs at least one field");
        static_assert((std::is_same_v<U, T> && ...), "covet: update() sets a field of another model");
        return detail::run_update(this->database(), this->query(), std::vector<Assignment>{assignments.assignment...});
    }
    std::int64_t update(std::initializer_list<Assignment> assignments) const {
        return detail::run_update(this->database(), this->query(), std::vector<Assignment>(assignments));
    }

    // Deletes the rows as Django's delete(): through covet_delete(), cascades included, PROTECT /
    // RESTRICT refusals raised as ProtectedError / RestrictedError with nothing deleted.
    DeleteResult remove() const { return detail::run_delete(this->database(), this->query()); }

    // Typed aggregates of one field: count<&Book::title>() (non-NULL values), sum (nullopt over no
    // rows), avg, min, max.
    template <auto Member>
    std::int64_t count() const {
        detail::check_member<T, Member>();
        return std::get<0>(this->aggregate(f<Member>.count()));
    }
    std::int64_t count() const { return Base::count(); }
    template <auto Member>
    auto sum() const {
        detail::check_member<T, Member>();
        return std::get<0>(this->aggregate(f<Member>.sum()));
    }
    template <auto Member>
    std::optional<double> avg() const {
        detail::check_member<T, Member>();
        return std::get<0>(this->aggregate(f<Member>.avg()));
    }
    template <auto Member>
    auto min() const {
        detail::check_member<T, Member>();
        return std::get<0>(this->aggregate(f<Member>.min()));
    }
    template <auto Member>
    auto max() const {
        detail::check_member<T, Member>();
        return std::get<0>(this->aggregate(f<Member>.max()));
    }
};

template <class T>
QuerySet<T> Database::objects() {
    return QuerySet<T>(*this);
}

}  // namespace covet
