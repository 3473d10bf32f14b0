from django.contrib import admin

from .models import Circle, CircleRole


class CircleRoleInline(admin.TabularInline):
    model = CircleRole
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CircleRoleInline]


@admin.register(CircleRole)
class CircleRoleAdmin(admin.ModelAdmin):
    list_display = ["member", "circle", "role", "started_on", "ended_on"]
    list_filter = ["circle", "role"]
    search_fields = ["member__name", "member__email", "circle__name"]
    list_select_related = ["member", "circle"]
    autocomplete_fields = ["member"]
