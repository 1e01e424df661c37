// Typed filters, orderings, assignments and aggregates through member pointers:
//
//   using covet::f;
//   db.objects<Book>().filter(f<&Book::pages> >= 200 && !f<&Book::title>.icontains("draft"))
//                     .order_by(-f<&Book::pages>, f<&Book::title>);
//   db.objects<Book>().filter(f<&Book::status>.in({Status::Draft, Status::Review})).update(f<&Book::pages> = 300);
//   auto [n, total] = db.objects<Book>().aggregate(f<&Book::id>.count(), f<&Book::pages>.sum());
//
// Everything here is thin glue: a value is converted with the member's field_traits (so enums,
// chrono types and std::optional work exactly as they are stored) and the result is one of the
// non-template descriptions of query.hpp (Filter, Assignment, Aggregate), tagged with the model
// so that QuerySet<Author> refuses, at compile time, a filter on a Book field.
#pragma once

#include <covet/model.hpp>
#include <covet/query.hpp>
#include <covet/relation_link.hpp>
#include <covet/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace covet {

// A Filter on the fields of model T. Combines with &&, || and ! into another TypedFilter<T>;
// combined with a plain Filter (Q("...")) it decays to a Filter. Filters of two different models
// do not combine.
template <class T>
class TypedFilter {
public:
    using model_type = T;
    explicit TypedFilter(Filter filter) : filter_(std::move(filter)) {}

    const Filter& filter() const noexcept { return filter_; }
    operator const Filter&() const noexcept { return filter_; }  // NOLINT: decays on purpose

    friend TypedFilter operator&&(const TypedFilter& a, const TypedFilter& b) { return TypedFilter(a.filter_ && b.filter_); }
    friend TypedFilter operator||(const TypedFilter& a, const TypedFilter& b) { return TypedFilter(a.filter_ || b.filter_); }
    friend TypedFilter operator!(const TypedFilter& a) { return TypedFilter(!a.filter_); }

private:
    Filter filter_;
};

// One `SET field = value` on model T (f<&T::x> = v).
template <class T>
struct TypedAssignment {
    using model_type = T;
    Assignment assignment;
};

// One term of order_by() on model T: f<&T::x> (ascending) or -f<&T::x> (descending).
template <class T>
struct Ordering {
    using model_type = T;
    std::string term;  // "name" or "-name"
};

// An aggregate whose result is read as R: std::int64_t for counts, std::optional<double> for
// averages, std::optional<field type> for min/max, std::optional<int64 or double> for sums
// (nullopt over no rows, as Django's None).
template <class R>
struct TypedAggregate {
    using result_type = R;
    Aggregate aggregate;

    // The same aggregate under another result name (for annotate() ordering, aggregate maps).
    [[nodiscard]] TypedAggregate as(std::string alias) const {
        TypedAggregate copy = *this;
        copy.aggregate.alias = std::move(alias);
        return copy;
    }
};

// count(*): the number of rows (of each group, in annotate()).
inline TypedAggregate<std::int64_t> count_rows(std::string alias = {}) {
    return {Count({}, std::move(alias))};
}

namespace detail {

template <class M>
using base_t = typename strip_optional<M>::type;

template <class M>
using sum_t = std::conditional_t<std::is_floating_point_v<base_t<M>>, double, std::int64_t>;

template <class>
inline constexpr bool dependent_false = false;

// Any value a string lookup may take: covet::Value, anything field_traits stores (enums,
// chrono, optional, ...), text, nullptr / std::nullopt.
template <class V>
Value query_value(const V& value) {
    if constexpr (std::is_same_v<V, Value>) {
        return value;
    } else if constexpr (std::is_same_v<V, std::nullopt_t> || std::is_same_v<V, std::nullptr_t>) {
        return Value{nullptr};
    } else if constexpr (storable<V>) {
        return field_traits<V>::to_value(value);
    } else if constexpr (std::is_convertible_v<const V&, std::string_view>) {
        return Value{std::string(std::string_view(value))};
    } else if constexpr (std::is_constructible_v<Value, const V&>) {
        return Value(value);
    } else {
        static_assert(dependent_false<V>,
                      "covet: this value cannot be used in a lookup: use a type covet::field_traits stores, "
                      "text, or a covet::Value");
        return Value{};
    }
}

template <class V>
inline constexpr bool is_value_range = std::ranges::input_range<V> && !std::is_convertible_v<const V&, std::string_view> &&
                                       !storable<V> && !std::is_same_v<V, Value>;

// The values of a string lookup: a range gives several (for in / range), anything else one.
template <class V>
std::vector<Value> query_values(const V& value) {
    std::vector<Value> values;
    if constexpr (is_value_range<V>) {
        for (const auto& element : value) {
            values.push_back(query_value(element));
        }
    } else {
        values.push_back(query_value(value));
    }
    return values;
}

}  // namespace detail

namespace detail {
template <auto... Members>
struct path_traits {  // no member: FieldRef's static_assert says so
    using model_type = void;
    using last_member = int;
};
template <auto First, auto... Rest>
struct path_traits<First, Rest...> {
    static_assert((std::is_member_object_pointer_v<decltype(First)> && ... &&
                   std::is_member_object_pointer_v<decltype(Rest)>),
                  "covet::f<&Struct::member, ...>: the arguments must be pointers to data members");
    using model_type = typename member_pointer_traits<decltype(First)>::class_type;
    using last_member = typename member_pointer_traits<decltype((First, ..., Rest))>::member_type;
};
}  // namespace detail

// The typed handle of one field: covet::f<&Author::name>, or of a field across relations:
// covet::f<&Book::author, &Author::email> ("author__email"). Every operation builds a
// non-template description (TypedFilter, TypedAssignment, Ordering, TypedAggregate); values are
// converted with the last member's field_traits.
template <auto... Members>
struct FieldRef {
    static_assert(sizeof...(Members) > 0, "covet::f<&Struct::member>: name a member");
    using model_type = typename detail::path_traits<Members...>::model_type;
    using member_type = typename detail::path_traits<Members...>::last_member;
    using base_type = detail::base_t<member_type>;  // the type without std::optional
    using filter_type = TypedFilter<model_type>;

    // The field's name ("name"), or its path ("author__email").
    static const std::string& name() {
        static const std::string path = [] {
            std::string out;
            ((out += (out.empty() ? "" : "__"), out += member_name<Members>()), ...);
            return out;
        }();
        return path;
    }

    static Value value(const member_type& v) { return detail::traits<member_type>::to_value(v); }
    static Value base_value(const base_type& v) { return detail::traits<base_type>::to_value(v); }

    static filter_type make(Lookup lookup, std::vector<Value> values) {
        return filter_type(Filter(name(), lookup, std::move(values)));
    }
    static filter_type make(Lookup lookup, Value v) {
        std::vector<Value> values;
        values.push_back(std::move(v));
        return make(lookup, std::move(values));
    }

    // Comparisons. == std::nullopt on an optional field is IS NULL; != is Django's exclude(=).
    filter_type operator==(const member_type& v) const { return make(Lookup::Exact, value(v)); }
    filter_type operator!=(const member_type& v) const { return !make(Lookup::Exact, value(v)); }
    filter_type operator<(const base_type& v) const { return make(Lookup::Lt, base_value(v)); }
    filter_type operator<=(const base_type& v) const { return make(Lookup::Lte, base_value(v)); }
    filter_type operator>(const base_type& v) const { return make(Lookup::Gt, base_value(v)); }
    filter_type operator>=(const base_type& v) const { return make(Lookup::Gte, base_value(v)); }

    // Text lookups (the value is compared as text, as Django's).
    filter_type iexact(std::string_view v) const { return make(Lookup::IExact, Value{std::string(v)}); }
    filter_type contains(std::string_view v) const { return make(Lookup::Contains, Value{std::string(v)}); }
    filter_type icontains(std::string_view v) const { return make(Lookup::IContains, Value{std::string(v)}); }
    filter_type startswith(std::string_view v) const { return make(Lookup::StartsWith, Value{std::string(v)}); }
    filter_type istartswith(std::string_view v) const { return make(Lookup::IStartsWith, Value{std::string(v)}); }
    filter_type endswith(std::string_view v) const { return make(Lookup::EndsWith, Value{std::string(v)}); }
    filter_type iendswith(std::string_view v) const { return make(Lookup::IEndsWith, Value{std::string(v)}); }

    // in: a braced list or any range of values convertible to the field's type.
    filter_type in(std::initializer_list<base_type> values) const { return in_range(values); }
    template <std::ranges::input_range R>
        requires std::convertible_to<std::ranges::range_reference_t<R>, base_type>
    filter_type in(R&& values) const {
        return in_range(values);
    }
    filter_type isnull(bool is_null = true) const { return make(Lookup::IsNull, Value{std::int64_t{is_null ? 1 : 0}}); }
    filter_type between(const base_type& low, const base_type& high) const {
        return make(Lookup::Range, std::vector<Value>{base_value(low), base_value(high)});
    }

    // update(f<&T::x> = v, ...). (Assigning to the constant f<...> is how the DSL reads; it
    // changes nothing.)
    TypedAssignment<model_type> operator=(const member_type& v) const {  // NOLINT: DSL, not assignment
        return {Assignment{name(), value(v)}};
    }

    // order_by(f<&T::x>, -f<&T::y>)
    operator Ordering<model_type>() const { return {name()}; }  // NOLINT: ascending by default
    Ordering<model_type> asc() const { return {name()}; }
    Ordering<model_type> desc() const { return {"-" + name()}; }
    Ordering<model_type> operator-() const { return desc(); }

    // Aggregates.
    TypedAggregate<std::int64_t> count(bool distinct = false) const { return {Count(name(), {}, distinct)}; }
    TypedAggregate<std::optional<detail::sum_t<member_type>>> sum() const {
        static_assert(std::is_arithmetic_v<base_type> && !std::is_same_v<base_type, bool>,
                      "covet: sum() takes a numeric field");
        return {Sum(name())};
    }
    TypedAggregate<std::optional<double>> avg() const {
        static_assert(std::is_arithmetic_v<base_type> && !std::is_same_v<base_type, bool>,
                      "covet: avg() takes a numeric field");
        return {Avg(name())};
    }
    TypedAggregate<std::optional<base_type>> min() const { return {Min(name())}; }
    TypedAggregate<std::optional<base_type>> max() const { return {Max(name())}; }

private:
    template <class R>
    static filter_type in_range(const R& values) {
        std::vector<Value> out;
        if constexpr (std::ranges::sized_range<const R>) {
            out.reserve(std::ranges::size(values));
        }
        for (const auto& v : values) {
            out.push_back(base_value(static_cast<const base_type&>(v)));
        }
        return make(Lookup::In, std::move(out));
    }
};

// covet::f<&Author::name>: the typed field, for filters, orderings, updates and aggregates;
// covet::f<&Book::author, &Author::email>: a field across relations (filters and orderings).
template <auto... Members>
inline constexpr FieldRef<Members...> f{};

// The number of objects related through the reverse of Member: on Author,
// values<&Author::name>().annotate(covet::count<&Book::author>()) counts each author's books.
template <auto Member>
TypedAggregate<std::int64_t> count(bool distinct = false) {
    using T = typename detail::member_pointer_traits<decltype(Member)>::class_type;
    return {Count(detail::reverse_query_name(model_info<T>(), column_of<Member>().field), {}, distinct)};
}

}  // namespace covet
