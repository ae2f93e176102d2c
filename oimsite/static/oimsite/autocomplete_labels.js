'use strict';
// Django's admin autocomplete (select2) names neither its box, nor its search field and list of results once
// open (axe: aria-input-field-name), and its open box misses aria-controls (axe: aria-required-attr). Each
// gets the name of the field's label. Loaded after
// admin/js/autocomplete.js, whose ready handler builds the boxes: this one runs after it.
{
    const $ = django.jQuery;

    function label(select) {
        return select.id ? document.querySelector(`label[for="${CSS.escape(select.id)}"]`) : null;
    }

    function name(select) {
        const widget = $(select).data('select2');
        const text = label(select);
        if (!widget || !text) {
            return;
        }
        if (!text.id) {
            text.id = `${select.id}-label`;
        }
        const rendered = widget.$selection.find('.select2-selection__rendered');
        // The box reads as "<label> <chosen record>"; the chosen record's own text box as the label.
        widget.$selection.attr('aria-labelledby', `${text.id} ${rendered.attr('id')}`);
        rendered.attr('aria-labelledby', text.id);
        $(select).on('select2:open', () => {
            widget.$dropdown.find('.select2-search__field').attr('aria-labelledby', text.id);
            const results = widget.$dropdown.find('.select2-results__options').attr('aria-labelledby', text.id);
            // An expanded combobox names the list it controls (select2 only sets the older aria-owns).
            widget.$selection.attr('aria-controls', results.attr('id'));
        });
        $(select).on('select2:close', () => widget.$selection.removeAttr('aria-controls'));
    }

    $(() => $('.admin-autocomplete').each((i, select) => name(select)));
    document.addEventListener('formset:added', (event) => {
        $(event.target).find('.admin-autocomplete').each((i, select) => name(select));
    });
}
