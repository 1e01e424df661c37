// Django's six on_delete behaviours through the C++ layer: db.remove(object) and
// QuerySet::remove() (both SELECT covet_delete(...)), and a plain SQL DELETE run with
// db.execute (the triggers migrate() registers work for any client). Also what relation caches
// hold after their target is deleted.
#include "library_fixture.hpp"

#include <covet/covet.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace library;

// ---- Extra models ---------------------------------------------------------------------------------

namespace od {

// PROTECT: a book on loan cannot be deleted (examples/library_models.hpp's Loan).
struct Loan {
    std::int64_t id = 0;
    covet::ForeignKey<Book, {.on_delete = covet::Protect, .related_name = "loans"}> book{};
    std::string borrower;
};

// PROTECT from a row the cascade removes too: still refused (Django; RESTRICT would allow it).
struct Reservation {
    std::int64_t id = 0;
    covet::ForeignKey<Book, {.on_delete = covet::Protect, .related_name = "reservations"}> book{};
    covet::ForeignKey<Author, {.on_delete = covet::Cascade, .related_name = "reservations"}> by{};
};

// DO_NOTHING: a note keeps its dangling author key.
struct Note {
    std::int64_t id = 0;
    covet::ForeignKey<Author, {.on_delete = covet::DoNothing, .related_name = "notes"}> author{};
    std::string text;
};

// SET_DEFAULT: a pet whose owner is deleted goes back to owner 1 (the shelter).
struct Owner {
    std::int64_t id = 0;
    std::string name;
};
struct Pet {
    std::int64_t id = 0;
    std::string name;
    covet::ForeignKey<Owner, {.on_delete = covet::SetDefault, .default_key = 1}> owner{};
};

// RESTRICT: Django's documentation example.
struct Artist {
    std::int64_t id = 0;
    std::string name;
};
struct Album {
    std::int64_t id = 0;
    covet::ForeignKey<Artist, {.on_delete = covet::Cascade}> artist{};
};
struct Song {
    std::int64_t id = 0;
    covet::ForeignKey<Artist, {.on_delete = covet::Cascade}> artist{};
    covet::ForeignKey<Album, {.on_delete = covet::Restrict}> album{};
};

}  // namespace od

BOOST_HANA_ADAPT_STRUCT(od::Loan, id, book, borrower);
BOOST_HANA_ADAPT_STRUCT(od::Reservation, id, book, by);
BOOST_HANA_ADAPT_STRUCT(od::Note, id, author, text);
BOOST_HANA_ADAPT_STRUCT(od::Owner, id, name);
BOOST_HANA_ADAPT_STRUCT(od::Pet, id, name, owner);
BOOST_HANA_ADAPT_STRUCT(od::Artist, id, name);
BOOST_HANA_ADAPT_STRUCT(od::Album, id, artist);
BOOST_HANA_ADAPT_STRUCT(od::Song, id, artist, album);

namespace {

using Counts = std::map<std::string, std::int64_t>;

std::int64_t rows(covet::Database& db, const std::string& table) {
    return std::get<std::int64_t>(db.query_value("SELECT count(*) FROM \"" + table + "\""));
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }
bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// The library with loans and notes.
struct Lending : Library {
    Lending() { db.migrate<od::Loan, od::Note>(); }
    std::string all_rows() {
        std::string out = snapshot();
        for (const char* table : {"loans", "notes"}) {
            out += table;
            for (const covet::Row& row : db.query(std::string("SELECT * FROM ") + table + " ORDER BY 1"))
                for (int i = 0; i < row.size(); ++i) out += " " + covet::describe(row.value(i));
            out += "\n";
        }
        return out;
    }
};

// The expected result of deleting Ann: her profile, her two books and their three category pairs.
const covet::DeleteResult ann_deleted{7, {{"authors", 1}, {"books", 2}, {"books_categories", 3}, {"profiles", 1}}};

void check_ann_gone(Library& l) {
    CHECK(rows(l.db, "authors") == 2);
    CHECK(rows(l.db, "profiles") == 1);
    CHECK(rows(l.db, "books") == 1);
    CHECK(rows(l.db, "books_categories") == 1);
    CHECK(l.db.objects<Book>().to_vector().front().title == "SPQR");
    CHECK_THROWS_AS(l.db.get<Author>(l.ann.id), covet::DoesNotExist);
}

}  // namespace

// ---- CASCADE ---------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "CASCADE: db.remove(ann) deletes her profile, books and their category pairs") {
    const covet::DeleteResult r = db.remove(ann);
    CHECK(r.total == 7);
    CHECK(r.per_table == Counts{{"authors", 1}, {"books", 2}, {"books_categories", 3}, {"profiles", 1}});
    CHECK(r == ann_deleted);
    check_ann_gone(*this);
    CHECK(rows(db, "categories") == 3);  // the other side of the pairs stays
}

TEST_CASE_FIXTURE(Library, "CASCADE: the QuerySet's remove() does the same, in one statement") {
    covet::DeleteResult r;
    CHECK(queries([&] { r = db.objects<Author>().filter("name", "Ann").remove(); }) == 1);
    CHECK(r == ann_deleted);
    check_ann_gone(*this);
}

TEST_CASE_FIXTURE(Library, "CASCADE: several objects in one remove()") {
    const covet::DeleteResult r = db.objects<Author>().filter("name__in", std::vector<std::string>{"Ann", "Bob"}).remove();
    CHECK(r.per_table == Counts{{"authors", 2}, {"books", 3}, {"books_categories", 4}, {"profiles", 1}});
    CHECK(r.total == 10);
    CHECK(rows(db, "books") == 0);
    CHECK(rows(db, "books_categories") == 0);
}

TEST_CASE_FIXTURE(Library, "CASCADE: a plain SQL DELETE on db.execute cascades too (the triggers migrate registered)") {
    db.execute("DELETE FROM authors WHERE id = ?", {covet::Value{ann.id}});
    check_ann_gone(*this);
    // Deleting a book removes its junction rows.
    db.execute("DELETE FROM books WHERE id = ?", {covet::Value{spqr.id}});
    CHECK(rows(db, "books_categories") == 0);
}

// ---- SET_NULL --------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "SET_NULL: removing Fiction sets SF's parent to NULL") {
    const covet::DeleteResult r = db.remove(fiction);
    CHECK(r.per_table == Counts{{"books_categories", 2}, {"categories", 1}});  // dune+emma's Fiction pairs
    CHECK(r.total == 3);
    db.refresh(sf);
    CHECK_FALSE(sf.parent.has_value());
    CHECK_FALSE(sf.parent.id().has_value());
    CHECK(sf.name == "SF");
    CHECK(rows(db, "categories") == 2);
    CHECK(rows(db, "books") == 3);
}

TEST_CASE_FIXTURE(Library, "SET_NULL: through the QuerySet and through plain SQL") {
    SUBCASE("queryset") {
        const covet::DeleteResult r = db.objects<Category>().filter("name", "Fiction").remove();
        CHECK(r.per_table == Counts{{"books_categories", 2}, {"categories", 1}});
    }
    SUBCASE("plain SQL") {
        CHECK(db.execute("DELETE FROM categories WHERE id = ?", {covet::Value{fiction.id}}) == 1);
    }
    CHECK_FALSE(db.get<Category>(sf.id).parent.has_value());
    CHECK(rows(db, "books_categories") == 2);
}

// ---- SET_DEFAULT -----------------------------------------------------------------------------------

TEST_CASE("SET_DEFAULT: the key goes back to .default_key") {
    using namespace od;
    covet::Database db{":memory:"};
    db.migrate<Owner, Pet>();
    Owner shelter = db.create(Owner{.name = "Shelter"});
    REQUIRE(shelter.id == 1);
    Owner ann = db.create(Owner{.name = "Ann"});
    Owner bob = db.create(Owner{.name = "Bob"});
    Pet rex = db.create(Pet{.name = "Rex", .owner = ann});
    Pet tom = db.create(Pet{.name = "Tom", .owner = bob});

    const covet::DeleteResult r = db.remove(ann);
    CHECK(r.per_table == Counts{{"owners", 1}});
    CHECK(r.total == 1);
    db.refresh(rex);
    CHECK(rex.owner.id() == shelter.id);
    CHECK(rex.owner->name == "Shelter");

    CHECK(db.objects<Owner>().filter("name", "Bob").remove().per_table == Counts{{"owners", 1}});
    CHECK(db.get<Pet>(tom.id).owner.id() == shelter.id);

    // Deleting the default itself while it is referenced cannot set anything: refused.
    const std::int64_t pets = rows(db, "pets");
    CHECK_THROWS_AS(db.remove(shelter), covet::IntegrityError);
    CHECK(rows(db, "owners") == 1);
    CHECK(rows(db, "pets") == pets);
    CHECK(db.get<Pet>(rex.id).owner.id() == shelter.id);

    // Plain SQL too.
    Owner cid = db.create(Owner{.name = "Cid"});
    Pet kit = db.create(Pet{.name = "Kit", .owner = cid});
    db.execute("DELETE FROM owners WHERE id = ?", {covet::Value{cid.id}});
    CHECK(db.get<Pet>(kit.id).owner.id() == shelter.id);
}

// ---- PROTECT ---------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Lending, "PROTECT: a book on loan cannot be deleted, directly or through a cascade") {
    const od::Loan loan = db.create(od::Loan{.book = dune, .borrower = "Zoe"});
    REQUIRE(loan.id == 1);
    const std::string before = all_rows();

    SUBCASE("db.remove(book)") {
        try {
            db.remove(dune);
            FAIL("no ProtectedError");
        } catch (const covet::ProtectedError& e) {
            CHECK(e.blocking_objects() == std::vector<std::string>{"Loan(1)"});
            CHECK(starts_with(e.what(), "covet:"));
            CHECK(contains(e.what(), "PROTECT"));
        }
    }
    SUBCASE("db.remove(author): the cascade reaches the book") {
        try {
            db.remove(ann);
            FAIL("no ProtectedError");
        } catch (const covet::ProtectedError& e) {
            CHECK(e.blocking_objects() == std::vector<std::string>{"Loan(1)"});
        }
    }
    SUBCASE("queryset remove()") {
        try {
            db.objects<Book>().filter("pages__gte", 400).remove();  // Dune and SPQR
            FAIL("no ProtectedError");
        } catch (const covet::ProtectedError& e) {
            CHECK(e.blocking_objects() == std::vector<std::string>{"Loan(1)"});
        }
        CHECK_THROWS_AS(db.objects<Author>().remove(), covet::ProtectedError);
    }
    SUBCASE("plain SQL DELETE") {
        CHECK_THROWS_AS(db.execute("DELETE FROM books WHERE id = ?", {covet::Value{dune.id}}), covet::ProtectedError);
        CHECK_THROWS_AS(db.execute("DELETE FROM authors WHERE id = ?", {covet::Value{ann.id}}), covet::ProtectedError);
    }
    CHECK(all_rows() == before);
    // A ProtectedError is an IntegrityError.
    CHECK_THROWS_AS(db.remove(dune), covet::IntegrityError);

    // Deleting the loan first lets the book go.
    db.remove(loan);
    const covet::DeleteResult r = db.remove(dune);
    CHECK(r.per_table == Counts{{"books", 1}, {"books_categories", 2}});
}

TEST_CASE_FIXTURE(Lending, "PROTECT: every blocking object is listed") {
    db.create(od::Loan{.book = dune, .borrower = "Zoe"});
    db.create(od::Loan{.book = emma, .borrower = "Yan"});
    db.create(od::Loan{.book = spqr, .borrower = "Xi"});
    try {
        db.remove(ann);
        FAIL("no ProtectedError");
    } catch (const covet::ProtectedError& e) {
        std::vector<std::string> blocking = e.blocking_objects();
        std::sort(blocking.begin(), blocking.end());
        CHECK(blocking == std::vector<std::string>{"Loan(1)", "Loan(2)"});  // not SPQR's
    }
}

TEST_CASE_FIXTURE(Lending, "PROTECT: refused even when the protecting row would be removed by the same cascade") {
    db.migrate<od::Reservation>();
    const od::Reservation r = db.create(od::Reservation{.book = dune, .by = ann});
    const std::string before = all_rows();
    try {
        db.remove(ann);  // cascades to dune and to the reservation, which protects dune
        FAIL("no ProtectedError");
    } catch (const covet::ProtectedError& e) {
        CHECK(e.blocking_objects() == std::vector<std::string>{"Reservation(" + std::to_string(r.id) + ")"});
    }
    CHECK(all_rows() == before);
    CHECK(rows(db, "reservations") == 1);
}

// ---- RESTRICT --------------------------------------------------------------------------------------

TEST_CASE("RESTRICT: Django's artist / album / song example") {
    using namespace od;
    covet::Database db{":memory:"};
    db.migrate<Artist, Album, Song>();
    Artist artist_one = db.create(Artist{.name = "artist one"});
    Artist artist_two = db.create(Artist{.name = "artist two"});
    Album album_one = db.create(Album{.artist = artist_one});
    Album album_two = db.create(Album{.artist = artist_two});
    Song song_one = db.create(Song{.artist = artist_one, .album = album_one});
    Song song_two = db.create(Song{.artist = artist_one, .album = album_two});

    // album_one.delete(): song_one would survive -> RestrictedError.
    try {
        db.remove(album_one);
        FAIL("no RestrictedError");
    } catch (const covet::RestrictedError& e) {
        CHECK(e.blocking_objects() == std::vector<std::string>{"Song(" + std::to_string(song_one.id) + ")"});
        CHECK(starts_with(e.what(), "covet:"));
        CHECK(contains(e.what(), "RESTRICT"));
    }
    CHECK_THROWS_AS(db.objects<Album>().filter("id", album_one.id).remove(), covet::RestrictedError);
    // artist_two.delete(): its album is referenced by song_two, whose artist is artist_one.
    try {
        db.remove(artist_two);
        FAIL("no RestrictedError");
    } catch (const covet::RestrictedError& e) {
        CHECK(e.blocking_objects() == std::vector<std::string>{"Song(" + std::to_string(song_two.id) + ")"});
    }
    CHECK_THROWS_AS(db.execute("DELETE FROM albums WHERE id = ?", {covet::Value{album_one.id}}), covet::RestrictedError);
    CHECK(rows(db, "artists") == 2);
    CHECK(rows(db, "albums") == 2);
    CHECK(rows(db, "songs") == 2);

    // artist_one.delete(): the cascade takes both songs and album_one: (4, {Song: 2, Album: 1, Artist: 1}).
    const covet::DeleteResult r = db.remove(artist_one);
    CHECK(r.total == 4);
    CHECK(r.per_table == Counts{{"albums", 1}, {"artists", 1}, {"songs", 2}});
    CHECK(rows(db, "albums") == 1);
    // Now nothing restricts artist_two.
    CHECK(db.objects<Artist>().remove().per_table == Counts{{"albums", 1}, {"artists", 1}});
}

TEST_CASE("RESTRICT: the QuerySet's remove() over both the album and its songs succeeds") {
    using namespace od;
    covet::Database db{":memory:"};
    db.migrate<Artist, Album, Song>();
    Artist artist = db.create(Artist{.name = "a"});
    Album album = db.create(Album{.artist = artist});
    db.create(Song{.artist = artist, .album = album});
    // Deleting the song and the album in one delete: the referencing row does not survive.
    db.transaction([&] {
        db.objects<Song>().remove();
        db.objects<Album>().remove();
    });
    CHECK(rows(db, "albums") == 0);
    CHECK(rows(db, "artists") == 1);
}

// ---- DO_NOTHING ------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Lending, "DO_NOTHING: the referencing row keeps its dangling key") {
    od::Note note = db.create(od::Note{.author = ann, .text = "remember"});
    SUBCASE("db.remove") {
        const covet::DeleteResult r = db.remove(ann);
        CHECK(r == ann_deleted);  // notes not counted: nothing done to them
    }
    SUBCASE("queryset remove") {
        CHECK(db.objects<Author>().filter("id", ann.id).remove() == ann_deleted);
    }
    SUBCASE("plain SQL") {
        db.execute("DELETE FROM authors WHERE id = ?", {covet::Value{ann.id}});
    }
    od::Note read = db.get<od::Note>(note.id);
    CHECK(read.text == "remember");
    CHECK(read.author.id() == ann.id);  // dangling
    CHECK_THROWS_AS((void)read.author->name, covet::RelatedObjectDoesNotExist);
    const std::string message = message_of([&] { (void)read.author->name; });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Note.author"));
    CHECK(contains(message, "Author"));
    // covet_check() reports it.
    CHECK(std::get<std::int64_t>(db.query_value(
              "SELECT count(*) FROM covet_check() WHERE problem = 'dangling_reference' AND table_name = 'notes'")) == 1);
}

// ---- Caches after a delete -------------------------------------------------------------------------

TEST_CASE_FIXTURE(Lending, "a cached related object outlives its row; db.refresh reloads") {
    SUBCASE("DO_NOTHING: the cache still holds the old object; after refresh reading it throws") {
        od::Note note = db.get<od::Note>(db.create(od::Note{.author = ann, .text = "n"}).id);
        CHECK(note.author->name == "Ann");  // cached now
        db.remove(ann);
        // Like Django: the in-memory object is not told about the delete.
        CHECK(queries([&] { CHECK(note.author->name == "Ann"); }) == 0);
        CHECK(note.author.is_cached());
        db.refresh(note);
        CHECK_FALSE(note.author.is_cached());
        CHECK_THROWS_AS((void)note.author->name, covet::RelatedObjectDoesNotExist);
    }
    SUBCASE("SET_NULL: after refresh the key is NULL and reading it is an error") {
        Category child = db.get<Category>(sf.id);
        CHECK(child.parent->name == "Fiction");
        db.remove(fiction);
        CHECK(child.parent->name == "Fiction");  // stale, cached
        CHECK(child.parent.has_value());
        db.refresh(child);
        CHECK_FALSE(child.parent.has_value());
        CHECK_FALSE(child.parent.is_cached());
        CHECK_THROWS_AS((void)child.parent->name, covet::Error);
    }
    SUBCASE("CASCADE: the holder is gone too; refresh says DoesNotExist") {
        Book book = db.get<Book>(dune.id);
        CHECK(book.author->name == "Ann");
        db.remove(ann);
        CHECK(book.author->name == "Ann");
        CHECK_THROWS_AS(db.refresh(book), covet::DoesNotExist);
    }
    SUBCASE("a key changed elsewhere: refresh drops the cache and reads the new object") {
        Book book = db.get<Book>(emma.id);
        CHECK(book.author->name == "Ann");
        db.execute("UPDATE books SET author_id = ? WHERE id = ?", {covet::Value{bob.id}, covet::Value{emma.id}});
        CHECK(book.author->name == "Ann");
        db.refresh(book);
        CHECK(book.author.id() == bob.id);
        CHECK(book.author->name == "Bob");
    }
    SUBCASE("a reverse OneToOne cached before its row was deleted") {
        Author a = db.get<Author>(ann.id);
        CHECK(a.profile->bio == "Ann's bio");
        db.execute("DELETE FROM profiles WHERE author_id = ?", {covet::Value{ann.id}});
        CHECK(a.profile->bio == "Ann's bio");  // cached
        db.refresh(a);
        CHECK_FALSE(a.profile.has_value());
        CHECK_THROWS_AS((void)a.profile->bio, covet::RelatedObjectDoesNotExist);
    }
}
