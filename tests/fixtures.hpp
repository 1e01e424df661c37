// SQL fixtures shared by the SQL-level suites (tests/) and the C++ suites (tests/cpp/).
#pragma once

namespace covet::test {

// Django's documentation example for RESTRICT: artist, album (artist CASCADE), song (artist
// CASCADE, album RESTRICT); artists 1, 2; albums 1 (artist 1), 2 (artist 2); songs 1 (artist 1,
// album 1), 2 (artist 2, album 2).
inline constexpr const char* artist_album_song_sql = R"(
        CREATE TABLE artist(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE album(id INTEGER PRIMARY KEY, artist_id INTEGER NOT NULL);
        CREATE TABLE song(id INTEGER PRIMARY KEY, artist_id INTEGER NOT NULL, album_id INTEGER NOT NULL);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) VALUES
            ('foreign_key', 'album', 'artist_id', 'artist', 'CASCADE');
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) VALUES
            ('foreign_key', 'song', 'artist_id', 'artist', 'CASCADE', 'songs');
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) VALUES
            ('foreign_key', 'song', 'album_id', 'album', 'RESTRICT');
        INSERT INTO artist VALUES (1, 'artist-1'), (2, 'artist-2');
        INSERT INTO album VALUES (1, 1), (2, 2);
        INSERT INTO song VALUES (1, 1, 1), (2, 2, 2);
)";

}  // namespace covet::test
