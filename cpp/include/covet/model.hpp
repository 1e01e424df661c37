// The per-model glue between a reflected struct (BOOST_HANA_ADAPT_STRUCT) and SQLite:
//
//     const covet::ModelInfo& info = covet::model_info<Author>();  // built once
//     covet::bind_fields(author, stmt, 1);          // binds every column, in ModelInfo order
//     Author a = covet::from_row<Author>(stmt, 0);  // reads them back
//     const covet::Column& c = covet::column_of<&Author::name>();
//
// Templates here stay thin: everything that does not need the struct's type is in
// cpp/src/model_info.cpp.
#pragma once

#include <covet/database_ref.hpp>
#include <covet/field.hpp>
#include <covet/meta.hpp>
#include <covet/model_info.hpp>
#include <covet/provenance.hpp>
#include <covet/value.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/filter.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace covet {

// Non-template helpers (model_info.cpp).
// "BookCategory" -> "book_category", "HTTPServer" -> "http_server".
std::string snake_case(std::string_view name);
// The problem with one value of a column ("" when it is fine): NULL in a non-null column,
// max_length, e-mail and URL format, and the custom validators, in that order.
std::string validate_value(const Column& column, const Value& value);
// The problems of a whole row (values in ModelInfo order), each as "Author.email: <problem>".
std::vector<std::string> validate(const ModelInfo& info, const std::vector<Value>& values);
bool is_valid_email(std::string_view text);
bool is_valid_url(std::string_view text);

namespace detail {

namespace hana = boost::hana;

[[noreturn]] void throw_logic(std::string message);
[[noreturn]] const ModelInfo& no_model_info();
// The struct's name from __PRETTY_FUNCTION__ of pretty_name<T>(), namespaces stripped.
std::string struct_name(std::string_view pretty_function);
std::optional<Value> default_to_value(const DefaultValue& value, ColumnType type);
// Default table name, primary key (meta, field option, or the field named id), meta's unique
// names, and the checks that need no type: names that are not fields, options on the wrong type.
void finish_model_info(ModelInfo& info, const std::vector<std::string>& unique_fields,
                       std::optional<std::size_t> primary_key);

template <class T>
constexpr std::string_view pretty_name() {
    return __PRETTY_FUNCTION__;
}

template <std::size_t N>
struct fixed_string {
    char value[N];
};

template <char... c>
constexpr auto to_fixed(hana::string<c...>) {
    return fixed_string<sizeof...(c) + 1>{{c..., '\0'}};
}

template <class T, class Pair>
using member_t = std::remove_cvref_t<decltype(hana::second(std::declval<Pair>())(std::declval<T&>()))>;

// Relation members: a ForeignKey / OneToOne is a column AND a relation; a ManyToMany, a reverse
// side or a to_attr list is a relation without a column.
template <class M>
concept relation_column = requires { typename M::covet_relation_column; };
template <class M>
concept relation_only = requires { typename M::covet_relation_only; };
template <class M>
concept relation_member = relation_column<M> || relation_only<M>;

// The Hana accessors of the members stored in columns (everything but relation_only ones), and
// of the relation members, in declaration order.
template <class T>
constexpr auto column_accessors() {
    return hana::filter(hana::accessors<T>(), [](auto p) { return hana::bool_c<!relation_only<member_t<T, decltype(p)>>>; });
}
template <class T>
constexpr auto relation_accessors() {
    return hana::filter(hana::accessors<T>(), [](auto p) { return hana::bool_c<relation_member<member_t<T, decltype(p)>>>; });
}

template <class T>
using accessors_t = decltype(column_accessors<T>());

template <class T>
inline constexpr std::size_t field_count = decltype(hana::length(std::declval<accessors_t<T>>()))::value;

// The compile-time check of every field type. The failing instantiation names the struct, the
// member (as a string) and the member's type: unsupported_field_type<Book, {"tags"}, std::map<...>>.
template <class Struct, fixed_string Member, class Type>
struct unsupported_field_type {
    static_assert(storable<Type>,
                  "covet: a member of this struct has a C++ type that cannot be stored in a SQLite column "
                  "(see 'unsupported_field_type<Struct, \"member\", Type>' above). Supported: integers, bool, "
                  "float, double, std::string, covet::Blob (std::vector<std::byte>), enums, "
                  "std::chrono::sys_time<...>, std::chrono::year_month_day, and std::optional of these.");
    static constexpr bool value = storable<Type>;
};

template <class T>
constexpr bool all_storable() {
    return hana::unpack(column_accessors<T>(), [](auto... p) { return (storable<member_t<T, decltype(p)>> && ...); });
}

template <class T>
constexpr bool check_fields() {
    return hana::unpack(column_accessors<T>(), [](auto... p) {
        return (unsupported_field_type<T, to_fixed(std::remove_cvref_t<decltype(hana::first(p))>{}), member_t<T, decltype(p)>>::value && ...);
    });
}

// Stands in for field_traits of an unsupported type, so that only the static_assert above is reported.
template <class M>
struct unsupported_traits {
    static constexpr ColumnType type = ColumnType::Integer;
    static constexpr bool nullable = false;
    static void bind(sqlite3_stmt*, int, const M&);
    static M read(sqlite3_stmt*, int);
    static Value to_value(const M&);
    static M from_value(const Value&);
};
template <class M>
using traits = std::conditional_t<storable<M>, field_traits<M>, unsupported_traits<M>>;

template <class T>
constexpr bool model_check() {
    if constexpr (all_storable<T>()) {
        return true;
    } else {
        return check_fields<T>();  // fires the static_assert that names the field
    }
}

template <class T>
inline constexpr bool model_ok = model_check<T>();

template <class T>
inline constexpr auto field_names = hana::unpack(column_accessors<T>(), [](auto... p) {
    return std::array<std::string_view, sizeof...(p)>{std::string_view(hana::to<const char*>(hana::first(p)))...};
});
template <class T>
inline constexpr auto relation_names = hana::unpack(relation_accessors<T>(), [](auto... p) {
    return std::array<std::string_view, sizeof...(p)>{std::string_view(hana::to<const char*>(hana::first(p)))...};
});

template <class T>
constexpr bool is_field_name(std::string_view name, bool allow_descending) {
    if (allow_descending && !name.empty() && name.front() == '-') {
        name.remove_prefix(1);
    }
    for (std::string_view field : field_names<T>) {
        if (field == name) {
            return true;
        }
    }
    return false;
}

// Every name in a (nested) list of names is a field of T.
template <class T, class X>
constexpr bool names_valid(const X& x, bool allow_descending = false) {
    if constexpr (std::is_convertible_v<const X&, std::string_view>) {
        return is_field_name<T>(std::string_view(x), allow_descending);
    } else if constexpr (requires { std::tuple_size<X>::value; } && !std::ranges::range<X>) {
        return std::apply([&](const auto&... e) { return (names_valid<T>(e, allow_descending) && ...); }, x);
    } else {
        for (const auto& e : x) {
            if (!names_valid<T>(e, allow_descending)) {
                return false;
            }
        }
        return true;
    }
}

template <class X>
void append_names(std::vector<std::string>& out, const X& x) {
    if constexpr (std::is_convertible_v<const X&, std::string_view>) {
        out.emplace_back(std::string_view(x));
    } else {
        for (const auto& e : x) {
            append_names(out, e);
        }
    }
}

// One list of names, a list of lists, or a tuple of lists.
template <class X>
void append_name_lists(std::vector<std::vector<std::string>>& out, const X& x) {
    if constexpr (requires { std::tuple_size<X>::value; } && !std::ranges::range<X>) {
        std::apply([&](const auto&... e) { (append_name_lists(out, e), ...); }, x);
    } else if constexpr (std::is_convertible_v<std::ranges::range_value_t<X>, std::string_view>) {
        out.emplace_back();
        append_names(out.back(), x);
    } else {
        for (const auto& e : x) {
            out.emplace_back();
            append_names(out.back(), e);
        }
    }
}

// The position of a member pointer among some Hana accessors, at compile time (Hana's
// BOOST_HANA_ADAPT_STRUCT / DEFINE_STRUCT accessors carry the member pointer in their type); the
// number of accessors when it is not one of them.
template <auto Member, class Accessors>
constexpr std::size_t static_index(Accessors accessors) {
    return hana::unpack(accessors, [](auto... p) {
        constexpr bool match[] = {
            std::is_same_v<std::remove_cvref_t<decltype(hana::second(p))>,
                           hana::struct_detail::member_ptr<decltype(Member), Member>>...,
            false};
        std::size_t i = 0;
        while (i < sizeof...(p) && !match[i]) {
            ++i;
        }
        return i;
    });
}
// Among the columns (field_count<T> when not one), and among the relation members.
template <class T, auto Member>
constexpr std::size_t static_member_index() {
    return static_index<Member>(column_accessors<T>());
}
template <class T, auto Member>
constexpr std::size_t static_relation_index() {
    return static_index<Member>(relation_accessors<T>());
}

template <class A>
inline constexpr bool is_member_ptr_accessor = false;
template <class P, P ptr>
inline constexpr bool is_member_ptr_accessor<hana::struct_detail::member_ptr<P, ptr>> = true;

template <class T>
inline constexpr bool hana_member_ptrs = hana::unpack(hana::accessors<T>(), [](auto... p) {
    return (is_member_ptr_accessor<std::remove_cvref_t<decltype(hana::second(p))>> && ...);
});

template <class T>
inline constexpr bool is_time = false;
template <class D>
inline constexpr bool is_time<std::chrono::time_point<std::chrono::system_clock, D>> = true;
template <>
inline constexpr bool is_time<std::chrono::year_month_day> = true;
template <class T>
inline constexpr bool is_time<std::optional<T>> = is_time<T>;

template <class T>
inline constexpr bool is_text_string = std::is_same_v<T, std::string>;
template <class T>
inline constexpr bool is_text_string<std::optional<T>> = is_text_string<T>;

template <class T>
struct strip_optional {
    using type = T;
};
template <class T>
struct strip_optional<std::optional<T>> {
    using type = T;
};

template <class R>
std::string validator_message(R&& result) {
    if constexpr (std::is_same_v<std::remove_cvref_t<R>, bool>) {
        return result ? std::string() : std::string("is not valid");
    } else {
        return std::string(std::forward<R>(result));
    }
}

}  // namespace detail

// The position of a member among T's reflected fields (= its column index in ModelInfo).
template <auto Member>
std::size_t column_index() {
    using T = typename detail::member_pointer_traits<decltype(Member)>::class_type;
    constexpr std::size_t index = detail::static_member_index<T, Member>();
    if constexpr (index < detail::field_count<T>) {
        return index;
    } else {
        static_assert(!detail::hana_member_ptrs<T>,
                      "covet: this member pointer names a member that is not listed in the struct's "
                      "BOOST_HANA_ADAPT_STRUCT / BOOST_HANA_DEFINE_STRUCT");
        // Custom Hana accessors: compare member addresses on a static dummy object, once.
        static const std::size_t found = [] {
            static const T dummy{};
            const void* target = &(dummy.*Member);
            std::size_t i = 0;
            std::size_t result = detail::field_count<T>;
            boost::hana::for_each(detail::column_accessors<T>(), [&](auto p) {
                if (static_cast<const void*>(&boost::hana::second(p)(dummy)) == target) {
                    result = i;
                }
                ++i;
            });
            if (result == detail::field_count<T>) {
                detail::throw_logic("covet: a member pointer names a member that Hana does not reflect");
            }
            return result;
        }();
        return found;
    }
}

namespace detail {

template <class T>
void set_now(T& field, std::chrono::system_clock::time_point now) {
    if constexpr (std::is_same_v<T, std::chrono::year_month_day>) {
        field = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
    } else if constexpr (is_optional<T>) {
        typename T::value_type value{};
        set_now(value, now);
        field = value;
    } else {
        field = std::chrono::floor<typename T::duration>(now);
    }
}

// The primary key holds no value yet: integer 0 or an empty std::optional.
template <class M>
bool key_unset(const M& value) {
    if constexpr (is_optional<M>) {
        return !value.has_value();
    } else if constexpr (std::is_integral_v<M> && !std::is_same_v<M, bool>) {
        return value == 0;
    } else {
        return false;
    }
}

// ---- Type erasure: the per-field operations ------------------------------------------------------
// The operations on one member, instantiated per member TYPE (shared by every model that has a
// member of that type); `member` is the member's address.
struct TypeOps {
    ColumnType type;
    bool nullable;
    std::vector<std::string> (*choices)();
    void (*bind)(const void* member, sqlite3_stmt* stmt, int index);
    void (*read)(void* member, sqlite3_stmt* stmt, int column);
    Value (*get)(const void* member);
    void (*set)(void* member, const Value& value);
    void (*set_now)(void* member, std::chrono::system_clock::time_point now);  // time fields only
    bool (*key_unset)(const void* member);
    void (*copy)(void* to, const void* from);
};

template <class M>
struct type_ops_impl {
    using Tr = traits<M>;
    static void bind(const void* m, sqlite3_stmt* stmt, int index) { Tr::bind(stmt, index, *static_cast<const M*>(m)); }
    // A ForeignKey / OneToOne gets only its key: the loaded object stays cached while the key is the same.
    static void read(void* m, sqlite3_stmt* stmt, int column) {
        if constexpr (relation_column<M>) {
            static_cast<M*>(m)->assign_key(Tr::read_key(stmt, column));
        } else if constexpr (std::is_same_v<M, std::string>) {
            // Into the string's own buffer when it is large enough (an object reused row after row,
            // as iteration does, allocates only for a text longer than any before it); otherwise a
            // new string, built in one allocation (assign() would grow the old one).
            auto& s = *static_cast<std::string*>(m);
            const std::string_view text = read_text_view(stmt, column);
            if (text.size() <= s.capacity()) {
                s.assign(text);
            } else {
                s = std::string(text);
            }
        } else {
            *static_cast<M*>(m) = Tr::read(stmt, column);
        }
    }
    static Value get(const void* m) { return Tr::to_value(*static_cast<const M*>(m)); }
    static void set(void* m, const Value& value) {
        if constexpr (relation_column<M>) {
            static_cast<M*>(m)->assign_key(Tr::key_from_value(value));
        } else {
            *static_cast<M*>(m) = Tr::from_value(value);
        }
    }
    static void now(void* m, std::chrono::system_clock::time_point t) { set_now(*static_cast<M*>(m), t); }
    static bool unset(const void* m) { return key_unset(*static_cast<const M*>(m)); }
    static void copy(void* to, const void* from) { *static_cast<M*>(to) = *static_cast<const M*>(from); }
    static constexpr auto now_function() {
        if constexpr (is_time<M>) {
            return &now;
        } else {
            return static_cast<void (*)(void*, std::chrono::system_clock::time_point)>(nullptr);
        }
    }
};

template <class M>
inline constexpr TypeOps type_ops{traits<M>::type,
                                  traits<M>::nullable,
                                  &field_choices<M>,
                                  &type_ops_impl<M>::bind,
                                  &type_ops_impl<M>::read,
                                  &type_ops_impl<M>::get,
                                  &type_ops_impl<M>::set,
                                  type_ops_impl<M>::now_function(),
                                  &type_ops_impl<M>::unset,
                                  &type_ops_impl<M>::copy};

// One field of one model: the only per (model, member) code is `at`, the member's address.
struct FieldOps {
    void* (*at)(void* object);
    const TypeOps* type;
};

// What a relation member learns when its object is read from, or written to, a Database.
struct Attachment {
    const Provenances& from;    // one per relation member, shared by the objects of one query evaluation
    const OwnerKey& owner_key;  // the object's primary key
};

// The operations on one relation member, instantiated per relation member TYPE by its class
// (to_one.hpp, many_to_many.hpp, reverse_many.hpp, reverse_one.hpp, prefetched.hpp) as
// `static constexpr detail::RelationOps relation_ops`. Unused entries are nullptr.
struct RelationOps {
    enum class Role { ToOne, Many, ReverseOne, List };
    Role role;
    // Adds the member's description to the model (a Relation, ReverseField or ListField).
    void (*describe)(ModelInfo& info, std::string_view field, std::size_t member);
    // After the holding object was read or saved: where to load from, the owner's key. `member`
    // is the member's index in ModelOps::relations (Relation::member, ReverseField::member).
    void (*attach)(void* member, const Attachment& attachment, std::size_t member_index);
    // ToOne / ReverseOne: the cached object to read a row into (created when there is none);
    // set_none: ReverseOne: known to have no object; ToOne: forget the cached one.
    void* (*fill_one)(void* member);
    void (*set_none)(void* member);
    void* (*cached_one)(void* member);  // nullptr when nothing is cached (or known absent)
    // Many / List: start an empty cache (prefetch_related), append one object to it (room for
    // `expected` objects when it has none), read it.
    void (*start_list)(void* member);
    void* (*append)(void* member, std::size_t expected);
    std::size_t (*list_size)(void* member);
    void* (*list_at)(void* member, std::size_t i);
    // ToOne, before a save: an assigned object saved since gives its key now (Django's rule);
    // an object still unsaved is refused (ValidationError naming the field).
    void (*before_save)(void* member, const ModelInfo& owner, const Relation& relation);
};

// One relation member of one model.
struct RelationField {
    void* (*at)(void* object);
    const RelationOps* ops;
};

template <class T, class Accessor>
struct field_at {
    static_assert(std::is_default_constructible_v<Accessor>,
                  "covet: custom Hana accessors must be stateless (default-constructible) function objects");
    static void* at(void* object) { return static_cast<void*>(std::addressof(Accessor{}(*static_cast<T*>(object)))); }
};
template <class T, class P, P ptr>
struct field_at<T, hana::struct_detail::member_ptr<P, ptr>> {
    static void* at(void* object) { return static_cast<void*>(std::addressof(static_cast<T*>(object)->*ptr)); }
};

template <class T>
inline constexpr auto field_ops_table = hana::unpack(column_accessors<T>(), [](auto... p) {
    return std::array<FieldOps, sizeof...(p)>{
        FieldOps{&field_at<T, std::remove_cvref_t<decltype(hana::second(p))>>::at, &type_ops<member_t<T, decltype(p)>>}...};
});

template <class T>
inline constexpr auto relation_ops_table = hana::unpack(relation_accessors<T>(), [](auto... p) {
    return std::array<RelationField, sizeof...(p)>{
        RelationField{&field_at<T, std::remove_cvref_t<decltype(hana::second(p))>>::at,
                      &member_t<T, decltype(p)>::relation_ops}...};
});

template <class T>
ModelOps model_ops() {
    return ModelOps{field_ops_table<T>.data(), field_ops_table<T>.size(), relation_ops_table<T>.data(),
                    relation_ops_table<T>.size()};
}

// The non-template loops over a model's fields (field_ops.cpp). `object` is the model object.
void add_columns(ModelInfo& info, ModelOps ops, const std::string_view* names);
// The relation members' descriptions (after add_columns: a ForeignKey names its column).
void add_relations(ModelInfo& info, ModelOps ops, const std::string_view* names);
// Tells every relation member of a freshly read or saved object of model `info` where it came from
// (`from`: provenances() of info).
void attach_relations(const ModelInfo& info, void* object, const Provenances& from);
// The same for objects attached one at a time (saves, lazy loads): consecutive calls with the same
// Database, model and origin on one thread share one Provenance.
void attach_relations(const ModelInfo& info, void* object, const DatabaseRef& db, std::uint64_t origin);
// Before a save: the keys of assigned related objects saved since (RelationOps::before_save).
void prepare_relations(const ModelInfo& info, void* object);
void bind_fields(ModelOps ops, const void* object, sqlite3_stmt* stmt, int first_index);
void bind_field(ModelOps ops, const void* object, std::size_t column, sqlite3_stmt* stmt, int index);
Value field_value(ModelOps ops, const void* object, std::size_t column);
void set_field(ModelOps ops, void* object, std::size_t column, const Value& value);
void read_row(ModelOps ops, void* object, sqlite3_stmt* stmt, int first_column);
std::vector<Value> to_values(ModelOps ops, const void* object);
void apply_auto_now(const ModelInfo& info, ModelOps ops, void* object, bool creating,
                    std::chrono::system_clock::time_point now);
bool primary_key_unset(const ModelInfo& info, ModelOps ops, const void* object);
void copy_field(ModelOps ops, void* to, const void* from, std::size_t column);

template <class T, class F>
void apply_field(ModelInfo& info, const F& f, std::optional<std::size_t>& primary_key) {
    static_assert(std::is_same_v<typename F::class_type, T> || std::is_base_of_v<typename F::class_type, T>,
                  "covet::meta<T>::fields: covet::field<&X::member> names a member of another struct");
    using M = typename F::member_type;
    const std::size_t i = column_index<F::member>();
    Column& c = info.columns[i];
    if (!f.db_column.empty()) {
        c.name = std::string(f.db_column);
    }
    if (f.primary_key) {
        if (primary_key && *primary_key != i) {
            throw_logic("covet: " + info.name + " marks more than one primary key");
        }
        primary_key = i;
    }
    c.unique = c.unique || f.unique;
    if (f.db_index) {
        info.indexes.push_back({c.field});
    }
    c.max_length = f.max_length;
    c.email = f.email;
    c.url = f.url;
    c.auto_now_add = f.auto_now_add;
    c.auto_now = f.auto_now;
    if ((f.max_length || f.email || f.url) && !is_text_string<M>) {
        throw_logic("covet: " + info.name + "." + c.field +
                    ": max_length, email and url apply to std::string fields only");
    }
    if ((f.auto_now || f.auto_now_add) && !is_time<M>) {
        throw_logic("covet: " + info.name + "." + c.field +
                    ": auto_now and auto_now_add apply to time point and date fields only");
    }
    using Base = typename strip_optional<M>::type;
    if constexpr (named_enum<Base>) {
        if (f.default_value.kind == DefaultValue::Kind::Integer) {
            c.default_value = field_traits<Base>::to_value(static_cast<Base>(f.default_value.integer));
            return;
        }
    }
    c.default_value = default_to_value(f.default_value, c.type);
}

template <class T, class V>
void apply_validator(ModelInfo& info, const V& v) {
    using M = typename V::member_type;
    auto function = v.function;
    Column& c = info.columns[column_index<V::member>()];
    if constexpr (std::is_invocable_v<const decltype(function)&, const M&>) {
        c.validators.emplace_back([function](const Value& value) {
            return validator_message(function(detail::traits<M>::from_value(value)));
        });
    } else {
        static_assert(std::is_invocable_v<const decltype(function)&, const Value&>,
                      "covet::validator<&T::member>(f): f must take the member's type or a covet::Value");
        c.validators.emplace_back([function](const Value& value) { return validator_message(function(value)); });
    }
}

template <class T>
ModelInfo build_model_info() {
    using m = meta<T>;
    ModelInfo info;
    info.name = struct_name(pretty_name<T>());
    if constexpr (meta_has_table<T>) {
        info.table = std::string(std::string_view(m::table));
    }
    info.ops = model_ops<T>();
    add_columns(info, info.ops, field_names<T>.data());
    add_relations(info, info.ops, relation_names<T>.data());

    // Names given as constant expressions are checked at compile time; others in finish_model_info.
    if constexpr (meta_has_ordering<T>) {
        if constexpr (requires { typename std::bool_constant<names_valid<T>(m::ordering, true)>; }) {
            static_assert(names_valid<T>(m::ordering, true),
                          "covet::meta<T>::ordering names a field that the struct does not have");
        }
        append_names(info.ordering, m::ordering);
    }
    std::vector<std::string> unique;
    if constexpr (meta_has_unique<T>) {
        if constexpr (requires { typename std::bool_constant<names_valid<T>(m::unique)>; }) {
            static_assert(names_valid<T>(m::unique), "covet::meta<T>::unique names a field that the struct does not have");
        }
        append_names(unique, m::unique);
    }
    if constexpr (meta_has_unique_together<T>) {
        if constexpr (requires { typename std::bool_constant<names_valid<T>(m::unique_together)>; }) {
            static_assert(names_valid<T>(m::unique_together),
                          "covet::meta<T>::unique_together names a field that the struct does not have");
        }
        append_name_lists(info.unique_together, m::unique_together);
    }
    if constexpr (meta_has_indexes<T>) {
        if constexpr (requires { typename std::bool_constant<names_valid<T>(m::indexes)>; }) {
            static_assert(names_valid<T>(m::indexes), "covet::meta<T>::indexes names a field that the struct does not have");
        }
        append_name_lists(info.indexes, m::indexes);
    }
    std::optional<std::size_t> primary_key;
    if constexpr (meta_has_primary_key<T>) {
        primary_key = column_index<m::primary_key>();
    }
    if constexpr (meta_has_fields<T>) {
        std::apply([&](const auto&... f) { (apply_field<T>(info, f, primary_key), ...); }, m::fields);
    }
    if constexpr (meta_has_validators<T>) {
        std::apply([&](const auto&... v) { (apply_validator<T>(info, v), ...); }, m::validators);
    }
    finish_model_info(info, unique, primary_key);
    return info;
}

}  // namespace detail

// The description of model T, built once (thread-safe function-local static).
template <class T>
const ModelInfo& model_info() {
    if constexpr (detail::model_ok<T>) {  // false: the static_assert of the bad field has fired
        static const ModelInfo& info = [] () -> const ModelInfo& {
            static const ModelInfo built = detail::build_model_info<T>();
            detail::remember_model(built);
            return built;
        }();
        return info;
    } else {
        return detail::no_model_info();
    }
}

// The column of a member: column_of<&Author::name>().
template <auto Member>
const Column& column_of() {
    using T = typename detail::member_pointer_traits<decltype(Member)>::class_type;
    return model_info<T>().columns[column_index<Member>()];
}

// The C++ name of any reflected member, a relation member included: member_name<&Book::categories>().
template <auto Member>
std::string_view member_name() {
    using T = typename detail::member_pointer_traits<decltype(Member)>::class_type;
    using M = typename detail::member_pointer_traits<decltype(Member)>::member_type;
    if constexpr (detail::relation_only<M>) {
        constexpr std::size_t index = detail::static_relation_index<T, Member>();
        static_assert(index < detail::relation_names<T>.size(),
                      "covet: this member pointer names a member that is not listed in the struct's "
                      "BOOST_HANA_ADAPT_STRUCT / BOOST_HANA_DEFINE_STRUCT");
        return detail::relation_names<T>[index];
    } else {
        return column_of<Member>().field;
    }
}

// A member's C++ value as a covet::Value (for filters: f<&Author::name> == "x").
template <auto Member>
Value to_value(const typename detail::member_pointer_traits<decltype(Member)>::member_type& value) {
    using M = typename detail::member_pointer_traits<decltype(Member)>::member_type;
    return detail::traits<M>::to_value(value);
}

// Every field's value, in ModelInfo order.
template <class T>
std::vector<Value> to_values(const T& object) {
    static_assert(detail::model_ok<T>, "covet: see the unsupported_field_type error above");
    if constexpr (detail::model_ok<T>) {
        return detail::to_values(detail::model_ops<T>(), &object);
    } else {
        return {};
    }
}

// Binds every field to parameters first_index, first_index + 1, ... in ModelInfo order. Strings
// and blobs are bound by reference (SQLITE_STATIC): `object` must stay alive and unchanged until
// the statement has been stepped (hence no overload for temporaries).
template <class T>
void bind_fields(const T& object, sqlite3_stmt* stmt, int first_index) {
    static_assert(detail::model_ok<T>, "covet: see the unsupported_field_type error above");
    if constexpr (detail::model_ok<T>) {
        detail::bind_fields(detail::model_ops<T>(), &object, stmt, first_index);
    }
}
template <class T>
void bind_fields(const T&& object, sqlite3_stmt* stmt, int first_index) = delete;

// Binds one field (by column index) to parameter `index`; same lifetime rule as bind_fields.
template <class T>
void bind_field(const T& object, std::size_t column, sqlite3_stmt* stmt, int index) {
    static_assert(detail::model_ok<T>, "covet: see the unsupported_field_type error above");
    if constexpr (detail::model_ok<T>) {
        detail::bind_field(detail::model_ops<T>(), &object, column, stmt, index);
    }
}
template <class T>
void bind_field(const T&& object, std::size_t column, sqlite3_stmt* stmt, int index) = delete;

// One field's value by column index.
template <class T>
Value field_value(const T& object, std::size_t column) {
    static_assert(detail::model_ok<T>, "covet: see the unsupported_field_type error above");
    if constexpr (detail::model_ok<T>) {
        return detail::field_value(detail::model_ops<T>(), &object, column);
    } else {
        return {};
    }
}

// Sets one field from a covet::Value (e.g. the primary key after an INSERT).
template <class T>
void set_field(T& object, std::size_t column, const Value& value) {
    static_assert(detail::model_ok<T>, "covet: see the unsupported_field_type error above");
    if constexpr (detail::model_ok<T>) {
        detail::set_field(detail::model_ops<T>(), &object, column, value);
    }
}

// Reads every field from columns first_column, first_column + 1, ... in ModelInfo order.
template <class T>
void read_row(T& object, sqlite3_stmt* stmt, int first_column) {
    static_assert(detail::model_ok<T>, "covet: see the unsupported_field_type error above");
    if constexpr (detail::model_ok<T>) {
        detail::read_row(detail::model_ops<T>(), &object, stmt, first_column);
    }
}

template <class T>
T from_row(sqlite3_stmt* stmt, int first_column) {
    T object{};
    read_row(object, stmt, first_column);
    return object;
}

// Sets the auto_now fields (and, when creating, the auto_now_add ones) to the current time.
template <class T>
void apply_auto_now(T& object, bool creating,
                    std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    if constexpr (detail::model_ok<T>) {
        detail::apply_auto_now(model_info<T>(), detail::model_ops<T>(), &object, creating, now);
    }
}

}  // namespace covet
