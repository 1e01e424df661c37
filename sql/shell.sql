-- covet in the sqlite3 shell: loading it from the build directory, registration refusals, every
-- on_delete rule, and the same cascades whether recursive_triggers is ON or OFF.
-- Run by tests/run_sql_script.py after `.load <build>/ext/covet`; compared with expected/shell.out.
.bail off
.headers on
.mode box

.print "-- .load worked: covet's functions and tables exist"
SELECT covet_version() GLOB '[0-9]*.[0-9]*.[0-9]*' AS version_ok,
       (SELECT count(*) FROM covet_relations) AS relations;

CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE teams(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO teams VALUES (0, 'unassigned'), (1, 'red'), (2, 'blue');
CREATE TABLE tasks(id INTEGER PRIMARY KEY, title TEXT NOT NULL,
                   owner_id INTEGER NOT NULL,        -- CASCADE
                   reviewer_id INTEGER,              -- SET_NULL
                   team_id INTEGER NOT NULL DEFAULT 0, -- SET_DEFAULT
                   parent_id INTEGER);               -- CASCADE, to tasks itself
CREATE TABLE audits(id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL); -- RESTRICT
CREATE TABLE invoices(id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL); -- PROTECT
CREATE TABLE notes(id INTEGER PRIMARY KEY, person_id INTEGER); -- DO_NOTHING

.print
.print "-- registrations covet refuses (expect 3 errors)"
INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES ('foreignkey', 'tasks', 'owner_id', 'people');
INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES ('foreign_key', 'tasks', 'nope_id', 'people');
INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete)
    VALUES ('foreign_key', 'tasks', 'owner_id', 'people', 'SET_NULL');
SELECT count(*) AS relations_after_refusals FROM covet_relations;

INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) VALUES
    ('foreign_key', 'tasks', 'owner_id', 'people', 'CASCADE', 'owned_tasks'),
    ('foreign_key', 'tasks', 'reviewer_id', 'people', 'SET_NULL', 'reviewed_tasks'),
    ('foreign_key', 'tasks', 'team_id', 'teams', 'SET_DEFAULT', 'tasks'),
    ('foreign_key', 'tasks', 'parent_id', 'tasks', 'CASCADE', 'subtasks'),
    ('foreign_key', 'audits', 'task_id', 'tasks', 'RESTRICT', 'audits'),
    ('foreign_key', 'invoices', 'person_id', 'people', 'PROTECT', 'invoices'),
    ('foreign_key', 'notes', 'person_id', 'people', 'DO_NOTHING', 'notes');

.print
.print "-- the relations"
SELECT name, from_column, to_table, on_delete, related_name FROM covet_relations;

.print
.print "-- recursive_triggers OFF"
PRAGMA recursive_triggers = OFF;
DELETE FROM audits; DELETE FROM invoices; DELETE FROM notes; DELETE FROM tasks; DELETE FROM people;
INSERT INTO people VALUES (1, 'Ada'), (2, 'Ben'), (3, 'Cy');
INSERT INTO tasks VALUES (1, 'root', 1, 2, 1, NULL), (2, 'child', 2, 1, 2, 1),
                         (3, 'grandchild', 2, 3, 2, 2), (4, 'other', 3, 1, 2, NULL);
INSERT INTO audits VALUES (1, 4);
INSERT INTO invoices VALUES (1, 2);
INSERT INTO notes VALUES (1, 1), (2, 3);
.print "---- delete person 1: CASCADE takes task 1 and its subtree, SET_NULL clears a reviewer, DO_NOTHING keeps a note"
DELETE FROM people WHERE id = 1;
SELECT * FROM tasks ORDER BY id;
SELECT * FROM notes ORDER BY id;
.print "---- delete team 2: SET_DEFAULT puts its task in team 0"
DELETE FROM teams WHERE id = 2;
SELECT id, title, team_id FROM tasks ORDER BY id;
.print "---- RESTRICT: task 4 has an audit, directly or through its owner (expect 2 errors)"
DELETE FROM tasks WHERE id = 4;
DELETE FROM people WHERE id = 3;
.print "---- PROTECT: person 2 has an invoice (expect an error)"
DELETE FROM people WHERE id = 2;
SELECT (SELECT group_concat(id) FROM people) AS people, (SELECT group_concat(id) FROM tasks) AS tasks,
       (SELECT count(*) FROM _covet_doomed) AS doomed_left;
INSERT INTO teams VALUES (2, 'blue');

.print
.print "-- recursive_triggers ON"
PRAGMA recursive_triggers = ON;
DELETE FROM audits; DELETE FROM invoices; DELETE FROM notes; DELETE FROM tasks; DELETE FROM people;
INSERT INTO people VALUES (1, 'Ada'), (2, 'Ben'), (3, 'Cy');
INSERT INTO tasks VALUES (1, 'root', 1, 2, 1, NULL), (2, 'child', 2, 1, 2, 1),
                         (3, 'grandchild', 2, 3, 2, 2), (4, 'other', 3, 1, 2, NULL);
INSERT INTO audits VALUES (1, 4);
INSERT INTO invoices VALUES (1, 2);
INSERT INTO notes VALUES (1, 1), (2, 3);
.print "---- delete person 1: CASCADE takes task 1 and its subtree, SET_NULL clears a reviewer, DO_NOTHING keeps a note"
DELETE FROM people WHERE id = 1;
SELECT * FROM tasks ORDER BY id;
SELECT * FROM notes ORDER BY id;
.print "---- delete team 2: SET_DEFAULT puts its task in team 0"
DELETE FROM teams WHERE id = 2;
SELECT id, title, team_id FROM tasks ORDER BY id;
.print "---- RESTRICT: task 4 has an audit, directly or through its owner (expect 2 errors)"
DELETE FROM tasks WHERE id = 4;
DELETE FROM people WHERE id = 3;
.print "---- PROTECT: person 2 has an invoice (expect an error)"
DELETE FROM people WHERE id = 2;
SELECT (SELECT group_concat(id) FROM people) AS people, (SELECT group_concat(id) FROM tasks) AS tasks,
       (SELECT count(*) FROM _covet_doomed) AS doomed_left;
INSERT INTO teams VALUES (2, 'blue');

.print
.print "-- covet_graph()"
.mode list
.headers off
SELECT covet_graph();
