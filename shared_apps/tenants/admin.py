"""The operator console's tenant pages: every change goes through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from opsyn.errors import PlatformError

from . import services
from .models import Domain, PreparedSchema, Tenant


def _actor(request: HttpRequest) -> str:
    return f"operator:{request.user.get_username()}"


class TenantCreationForm(forms.ModelForm):  # type: ignore[type-arg]
    domain = forms.CharField(
        help_text="The tenant's primary host, e.g. acme.example.com"
    )

    class Meta:
        model = Tenant
        fields = ["name", "slug", "region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ChoiceField(
            choices=sorted(settings.OPSYN_REGIONS.items()),
            initial=settings.OPSYN_DEFAULT_REGION,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                services.check_new_tenant(
                    name=data.get("name", ""),
                    slug=data.get("slug", ""),
                    domain=data.get("domain", ""),
                    region=data.get("region"),
                )
            except PlatformError as exc:
                raise forms.ValidationError(exc.message) from exc
        return data

    def validate_unique(self) -> None:
        # Uniqueness is part of check_new_tenant; the row is made by the service.
        pass


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Domain
    extra = 0
    fields = ("domain", "is_primary", "created_at")
    readonly_fields = ("domain", "is_primary", "created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["slug", "name", "status", "region", "created_at"]
    list_filter = ["status", "region"]
    search_fields = ["slug", "name", "domains__domain"]
    readonly_fields = [
        "slug",
        "schema_name",
        "status",
        "region",
        "created_at",
        "updated_at",
    ]
    fields = (
        "name",
        "slug",
        "schema_name",
        "status",
        "region",
        "created_at",
        "updated_at",
    )
    inlines = [DomainInline]
    actions = ["suspend", "resume"]

    def get_form(
        self,
        request: HttpRequest,
        obj: Any | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        if obj is None:
            return TenantCreationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "slug", "domain", "region"]
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else self.inlines

    def save_model(
        self, request: HttpRequest, obj: Tenant, form: Any, change: bool
    ) -> None:
        if change:
            services.rename_tenant(actor=_actor(request), slug=obj.slug, name=obj.name)
            return
        data = form.cleaned_data
        created = services.provision_tenant(
            actor=_actor(request),
            name=data["name"],
            slug=data["slug"],
            domain=data["domain"],
            region=data["region"],
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def delete_model(self, request: HttpRequest, obj: Tenant) -> None:
        services.delete_tenant(actor=_actor(request), slug=obj.slug)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        for tenant in list(queryset):
            services.delete_tenant(actor=_actor(request), slug=tenant.slug)

    @admin.action(description="Suspend selected tenants")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._each(request, queryset, services.suspend_tenant, "suspended")

    @admin.action(description="Resume selected tenants")
    def resume(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._each(request, queryset, services.resume_tenant, "resumed")

    def _each(
        self, request: HttpRequest, queryset: QuerySet[Tenant], service: Any, verb: str
    ) -> None:
        for tenant in queryset:
            try:
                service(actor=_actor(request), slug=tenant.slug)
                self.message_user(request, f"{tenant.slug} {verb}")
            except PlatformError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)


class DomainForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Domain
        fields = ["tenant", "domain", "is_primary"]

    def validate_constraints(self, exclude: Any = None) -> None:
        # "One primary per tenant" is kept by add_domain, which demotes the
        # old primary; checking it here would refuse a valid request.
        return None

    def clean_domain(self) -> str:
        try:
            return services.check_new_host(self.cleaned_data["domain"])
        except PlatformError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["domain", "tenant", "is_primary", "created_at"]
    search_fields = ["domain", "tenant__slug"]
    form = DomainForm
    actions = ["make_primary"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["tenant", "domain", "is_primary"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A primary domain is only removed after another is made primary.
        if obj is not None and obj.is_primary:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Domain, form: Any, change: bool
    ) -> None:
        if change:
            return
        added = services.add_domain(
            actor=_actor(request),
            slug=obj.tenant.slug,
            domain=obj.domain,
            primary=obj.is_primary,
        )
        obj.pk = added.pk

    def delete_model(self, request: HttpRequest, obj: Domain) -> None:
        try:
            services.remove_domain(actor=_actor(request), domain=obj.domain)
        except PlatformError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Domain]) -> None:
        for domain in list(queryset):
            self.delete_model(request, domain)

    @admin.action(description="Make the selected domain primary")
    def make_primary(self, request: HttpRequest, queryset: QuerySet[Domain]) -> None:
        for domain in queryset:
            services.set_primary_domain(actor=_actor(request), domain=domain.domain)


@admin.register(PreparedSchema)
class PreparedSchemaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["schema_name", "fingerprint", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
