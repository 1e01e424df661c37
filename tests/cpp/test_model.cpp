// model_info<T>(): what the rest of covet learns about a model from Hana and covet::meta<T>.
#include <covet/model.hpp>

#include <covet/error.hpp>
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

struct Author {
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::optional<std::string> website;
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name, email, website);
template <>
struct covet::meta<Author> {
    static constexpr auto table = "authors";
    static constexpr auto ordering = std::array{"name"};
    static constexpr auto unique = std::array{"email"};
};

namespace library {
struct BookCategory {
    std::int64_t id = 0;
    std::string title;
};
}  // namespace library
BOOST_HANA_ADAPT_STRUCT(library::BookCategory, id, title);

struct HTTPRequestLog {
    std::int64_t id = 0;
};
BOOST_HANA_ADAPT_STRUCT(HTTPRequestLog, id);

enum class Status { Draft, Published };
template <>
struct covet::enum_names<Status> {
    static constexpr std::array names{"draft", "published"};
};

// Every option.
struct Book {
    std::string isbn;
    std::string title;
    std::string contact;
    std::optional<std::string> homepage;
    std::int32_t pages = 0;
    double price = 0;
    Status status = Status::Draft;
    std::chrono::sys_seconds created{};
    std::chrono::sys_time<std::chrono::milliseconds> modified{};
    std::optional<std::chrono::year_month_day> published;
};
BOOST_HANA_ADAPT_STRUCT(Book, isbn, title, contact, homepage, pages, price, status, created, modified, published);
template <>
struct covet::meta<Book> {
    static constexpr auto primary_key = &Book::isbn;
    static constexpr auto ordering = std::array{"-created", "title"};
    static constexpr auto unique_together = std::array{std::array{"title", "contact"}};
    static constexpr auto indexes = std::tuple{std::array{"status"}, std::array{"price", "pages"}};
    static constexpr auto fields = covet::fields(
        covet::field<&Book::title>{.db_column = "book_title", .max_length = 100, .default_value = "Untitled"},
        covet::field<&Book::contact>{.unique = true, .email = true},
        covet::field<&Book::homepage>{.url = true, .default_value = nullptr},
        covet::field<&Book::pages>{.db_index = true, .default_value = 1},
        covet::field<&Book::price>{.default_value = 10},
        covet::field<&Book::status>{.default_value = Status::Published},
        covet::field<&Book::created>{.auto_now_add = true},
        covet::field<&Book::modified>{.auto_now = true});
    static inline const auto validators = covet::validators(
        covet::validator<&Book::pages>([](std::int32_t pages) { return pages > 0; }),
        covet::validator<&Book::title>([](const std::string& title) -> std::string {
            return title.find('!') != std::string::npos ? "must not shout" : "";
        }),
        covet::validator<&Book::price>([](const covet::Value& v) {
            return std::get<double>(v) < 1000 ? "" : "is too expensive";
        }));
};

// Primary key by field option, and names given at run time (checked when model_info is built).
struct Tag {
    std::string slug;
    std::string label;
};
BOOST_HANA_ADAPT_STRUCT(Tag, slug, label);
template <>
struct covet::meta<Tag> {
    static inline const std::vector<std::string> ordering{"label"};
    static inline const auto fields = covet::fields(covet::field<&Tag::slug>{.primary_key = true});
};

struct Broken {
    std::int64_t id = 0;
};
BOOST_HANA_ADAPT_STRUCT(Broken, id);
template <>
struct covet::meta<Broken> {
    static inline const std::vector<std::string> ordering{"nope"};
};

struct NoKey {
    std::string name;
};
BOOST_HANA_ADAPT_STRUCT(NoKey, name);

TEST_CASE("the Author example") {
    const covet::ModelInfo& info = covet::model_info<Author>();
    CHECK(&info == &covet::model_info<Author>());  // built once
    CHECK(info.name == "Author");
    CHECK(info.table == "authors");
    REQUIRE(info.columns.size() == 4);
    const char* names[] = {"id", "name", "email", "website"};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(info.columns[i].field == names[i]);
        CHECK(info.columns[i].name == names[i]);
    }
    CHECK(info.primary_key == 0);
    CHECK(info.columns[0].primary_key);
    CHECK(info.columns[0].type == covet::ColumnType::Integer);
    CHECK(info.columns[1].type == covet::ColumnType::Text);
    CHECK_FALSE(info.columns[1].nullable);
    CHECK(info.columns[3].nullable);
    CHECK(info.columns[2].unique);
    CHECK_FALSE(info.columns[1].unique);
    CHECK(info.ordering == std::vector<std::string>{"name"});
    CHECK(info.unique_together.empty());
    CHECK(info.indexes.empty());
    CHECK(info.field("email") == &info.columns[2]);
    CHECK(info.field("nope") == nullptr);
    CHECK_FALSE(info.columns[1].max_length.has_value());
    CHECK_FALSE(info.columns[1].default_value.has_value());
}

TEST_CASE("default table names: struct name in snake_case plus s, namespaces stripped") {
    CHECK(covet::model_info<library::BookCategory>().name == "BookCategory");
    CHECK(covet::model_info<library::BookCategory>().table == "book_categorys");
    CHECK(covet::model_info<HTTPRequestLog>().table == "http_request_logs");
    CHECK(covet::model_info<Book>().table == "books");
    CHECK(covet::snake_case("BookCategory") == "book_category");
    CHECK(covet::snake_case("Author") == "author");
    CHECK(covet::snake_case("HTTPServer") == "http_server");
    CHECK(covet::snake_case("Page2Item") == "page2_item");
    CHECK(covet::snake_case("already_snake") == "already_snake");
    CHECK(covet::detail::struct_name("auto f() [with T = a::b::Pair<x::Y, int>; U = int]") == "Pair<x::Y, int>");
}

TEST_CASE("every option") {
    const covet::ModelInfo& info = covet::model_info<Book>();
    auto col = [&](const char* name) -> const covet::Column& {
        const covet::Column* c = info.field(name);
        REQUIRE(c != nullptr);
        return *c;
    };
    CHECK(info.primary_key == 0);
    CHECK(col("isbn").primary_key);
    CHECK_FALSE(col("title").primary_key);
    CHECK(info.ordering == std::vector<std::string>{"-created", "title"});
    CHECK(info.unique_together == std::vector<std::vector<std::string>>{{"title", "contact"}});
    CHECK(info.indexes == std::vector<std::vector<std::string>>{{"status"}, {"price", "pages"}, {"pages"}});
    CHECK(col("title").name == "book_title");
    CHECK(col("isbn").name == "isbn");
    CHECK(col("title").max_length == std::optional<std::size_t>(100));
    CHECK(col("title").default_value == std::optional<covet::Value>(covet::Value{std::string("Untitled")}));
    CHECK(col("homepage").default_value == std::optional<covet::Value>(covet::Value{nullptr}));
    CHECK(col("pages").default_value == std::optional<covet::Value>(covet::Value{std::int64_t{1}}));
    CHECK(col("price").default_value == std::optional<covet::Value>(covet::Value{10.0}));
    CHECK(col("status").default_value == std::optional<covet::Value>(covet::Value{std::string("published")}));
    CHECK(col("status").choices == std::vector<std::string>{"draft", "published"});
    CHECK_FALSE(col("contact").default_value.has_value());
    CHECK(col("contact").unique);
    CHECK(col("contact").email);
    CHECK_FALSE(col("title").email);
    CHECK(col("homepage").url);
    CHECK(col("created").auto_now_add);
    CHECK_FALSE(col("created").auto_now);
    CHECK(col("modified").auto_now);
    CHECK(col("published").nullable);
    CHECK(col("published").type == covet::ColumnType::Text);

    // Validators: the typed ones see the C++ value, the others the covet::Value.
    REQUIRE(col("pages").validators.size() == 1);
    CHECK(col("pages").validators[0](covet::Value{std::int64_t{0}}) == "is not valid");
    CHECK(col("pages").validators[0](covet::Value{std::int64_t{10}}).empty());
    CHECK(col("title").validators[0](covet::Value{std::string("Hi!")}) == "must not shout");
    CHECK(col("price").validators[0](covet::Value{5000.0}) == "is too expensive");

    CHECK(covet::validate_value(col("title"), covet::Value{std::string(101, 'x')}) == "is longer than 100 characters");
    CHECK(covet::validate_value(col("title"), covet::Value{std::string(100, 'x')}).empty());
    std::string accents;
    for (int i = 0; i < 100; ++i) {
        accents += "é";  // 100 characters, 200 bytes
    }
    CHECK(covet::validate_value(col("title"), covet::Value{accents}).empty());
    CHECK(covet::validate_value(col("contact"), covet::Value{std::string("someone@example.com")}).empty());
    CHECK(covet::validate_value(col("contact"), covet::Value{std::string("someone at example")}) ==
          "is not a valid e-mail address");
    CHECK(covet::validate_value(col("homepage"), covet::Value{nullptr}).empty());
    CHECK(covet::validate_value(col("title"), covet::Value{nullptr}) == "may not be NULL");
    CHECK(covet::validate_value(col("homepage"), covet::Value{std::string("https://example.com/a?b")}).empty());
    CHECK(covet::validate_value(col("homepage"), covet::Value{std::string("example.com")}) == "is not a valid URL");

    Book book;
    book.isbn = "978";
    book.title = "Loud!";
    book.contact = "nobody";
    book.pages = 0;
    const auto problems = covet::validate(info, covet::to_values(book));
    CHECK(problems == std::vector<std::string>{"Book.title: must not shout", "Book.contact: is not a valid e-mail address",
                                               "Book.pages: is not valid"});
}

TEST_CASE("auto_now and auto_now_add") {
    using namespace std::chrono;
    Book book;
    const auto t1 = sys_days{2024y / January / 1} + 10h + 500ms;
    covet::apply_auto_now(book, true, t1);
    CHECK(book.created == sys_days{2024y / January / 1} + 10h);
    CHECK(book.modified == t1);
    const auto t2 = t1 + 24h;
    covet::apply_auto_now(book, false, t2);
    CHECK(book.created == sys_days{2024y / January / 1} + 10h);
    CHECK(book.modified == t2);
}

TEST_CASE("primary key by field option; run-time names") {
    const covet::ModelInfo& info = covet::model_info<Tag>();
    CHECK(info.primary_key == 0);
    CHECK(info.columns[0].primary_key);
    CHECK(info.ordering == std::vector<std::string>{"label"});
    CHECK(info.table == "tags");
}

TEST_CASE("mistakes found when model_info is built") {
    CHECK_THROWS_WITH_AS(covet::model_info<Broken>(), "covet: meta<Broken>::ordering names 'nope', which is not a field of Broken",
                         covet::UsageError);
    CHECK_THROWS_AS(covet::model_info<NoKey>(), covet::UsageError);
}

TEST_CASE("column_of maps member pointers to columns") {
    CHECK(covet::column_index<&Author::id>() == 0);
    CHECK(covet::column_index<&Author::website>() == 3);
    CHECK(&covet::column_of<&Author::email>() == &covet::model_info<Author>().columns[2]);
    CHECK(covet::column_of<&Book::title>().name == "book_title");
    CHECK(covet::column_of<&Book::published>().field == "published");
    static_assert(covet::detail::static_member_index<Book, &Book::modified>() == 8);
    static_assert(covet::detail::field_names<Author>[1] == "name");
}
