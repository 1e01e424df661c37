# The benchmark's four models, on the tables covet's migrate creates (bench/dataset.hpp shows the
# schema). Django never migrates them: the tables come with the dataset file.
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=254, unique=True)

    class Meta:
        db_table = "authors"


class Profile(models.Model):
    author = models.OneToOneField(Author, models.CASCADE, related_name="profile")
    bio = models.TextField()
    website = models.TextField()

    class Meta:
        db_table = "profiles"


class Category(models.Model):
    name = models.CharField(max_length=50)
    parent = models.ForeignKey("self", models.SET_NULL, null=True, related_name="children")

    class Meta:
        db_table = "categories"


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, models.CASCADE, related_name="books")
    published_date = models.DateField()
    pages = models.IntegerField()
    # Django's junction columns for Book.categories are book_id and category_id, as in the schema.
    categories = models.ManyToManyField(Category, related_name="books", db_table="books_categories")

    class Meta:
        db_table = "books"
