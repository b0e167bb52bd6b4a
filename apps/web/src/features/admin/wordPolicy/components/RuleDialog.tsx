import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type FilterActionName,
  type FilterRuleDto,
  type FilterRuleInput,
  MAX_FILTER_CATEGORY_LENGTH,
  MAX_FILTER_PATTERN_LENGTH,
  MAX_FILTER_WORD_LENGTH,
  patternValidatorSchema,
} from '@miyu/protocol';
import { BUILT_IN_PATTERNS } from '@miyu/word-filter';
import { currentLocale } from '../../../../i18n';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Button } from '../../../../ui/Button';
import { SelectField, TextField } from '../../../../ui/Field';
import { FormDialog } from '../../../../ui/FormDialog';
import { placeServerError } from '../utils/serverErrors';
import { ActionChoice } from './ActionBadge';

const RULE_FIELDS = ['pattern', 'category', 'action', 'validator'] as const;
type RuleField = (typeof RULE_FIELDS)[number];
type Validator = FilterRuleDto['validator'];

export interface RuleDialogProps {
  /** The rule being edited, or null to add one. */
  rule: FilterRuleDto | null;
  /** Existing categories, offered as suggestions. */
  categories: readonly string[];
  busy: boolean;
  /** The server's refusal of the last save, placed next to the field it is about. */
  error: unknown;
  onSubmit: (input: FilterRuleInput) => void;
  onCancel: () => void;
}

/** Adds or edits one rule: a word, or a pattern (with the built-in ones as presets), its category and action. */
export function RuleDialog({ rule, categories, busy, error, onSubmit, onCancel }: RuleDialogProps) {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const listId = useId();
  const [type, setType] = useState<FilterRuleDto['type']>(rule?.type ?? 'word');
  const [pattern, setPattern] = useState(rule?.pattern ?? '');
  const [validator, setValidator] = useState<Validator>(rule?.validator ?? 'none');
  const [category, setCategory] = useState(rule?.category ?? '');
  const [action, setAction] = useState<FilterActionName>(rule?.action ?? 'block');
  const [checked, setChecked] = useState(false);
  const [editedSinceError, setEditedSinceError] = useState<ReadonlySet<RuleField>>(new Set());
  const zh = currentLocale(i18n) === 'zh-CN';

  const value = type === 'word' ? pattern.trim() : pattern;
  const name = category.trim();
  const maxLength = type === 'word' ? MAX_FILTER_WORD_LENGTH : MAX_FILTER_PATTERN_LENGTH;
  const problems: Partial<Record<RuleField, string>> = {};
  if (value === '') problems.pattern = t('adminWordPolicy.required');
  else if (value.length > maxLength) problems.pattern = t('adminWordPolicy.tooLong', { max: maxLength });
  if (name === '') problems.category = t('adminWordPolicy.required');
  else if (name.length > MAX_FILTER_CATEGORY_LENGTH)
    problems.category = t('adminWordPolicy.tooLong', { max: MAX_FILTER_CATEGORY_LENGTH });
  // Shown once a save was tried, so an empty form does not open full of errors.
  const local = checked ? problems : {};
  const server = placeServerError(t, describe, error, {
    fields: RULE_FIELDS,
    subject: 'pattern',
    exists: t('adminWordPolicy.ruleForm.exists'),
  });
  // A field's server error stays until that field is changed.
  const fieldError = (field: RuleField) => local[field] ?? (editedSinceError.has(field) ? null : server.fields[field]);
  const edited = (field: RuleField) => setEditedSinceError((s) => new Set(s).add(field));

  const submit = () => {
    setChecked(true);
    if (problems.pattern || problems.category) return;
    setEditedSinceError(new Set());
    onSubmit(
      type === 'word'
        ? { type, pattern: value, category: name, action }
        : { type, pattern: value, validator, category: name, action },
    );
  };

  return (
    <FormDialog
      title={rule ? t('adminWordPolicy.ruleForm.editTitle') : t('adminWordPolicy.ruleForm.addTitle')}
      error={server.form}
      submitLabel={busy ? t('common.saving') : t('common.save')}
      submitDisabled={busy}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <fieldset className="fieldset wp-choice wp-choice--inline">
        <legend className="field__label">{t('adminWordPolicy.ruleForm.type')}</legend>
        {(['word', 'pattern'] as const).map((option) => (
          <label key={option} className="checkbox">
            <input
              type="radio"
              name={`${listId}-type`}
              value={option}
              checked={type === option}
              onChange={() => {
                setType(option);
                edited('pattern');
              }}
            />
            <span>{t(`adminWordPolicy.types.${option}`)}</span>
          </label>
        ))}
      </fieldset>
      {type === 'pattern' ? (
        <div className="field">
          <span className="field__label" id={`${listId}-presets`}>
            {t('adminWordPolicy.ruleForm.presets')}
          </span>
          <div className="wp-presets" role="group" aria-labelledby={`${listId}-presets`}>
            {BUILT_IN_PATTERNS.map((preset) => (
              <Button
                key={preset.key}
                size="sm"
                aria-pressed={pattern === preset.pattern && validator === preset.validator}
                onClick={() => {
                  setPattern(preset.pattern);
                  setValidator(preset.validator);
                  if (category.trim() === '') setCategory(t('adminWordPolicy.ruleForm.presetCategory'));
                  edited('pattern');
                }}
              >
                {zh ? preset.labelZh : preset.labelEn}
              </Button>
            ))}
          </div>
        </div>
      ) : null}
      <TextField
        label={type === 'word' ? t('adminWordPolicy.ruleForm.word') : t('adminWordPolicy.ruleForm.pattern')}
        help={type === 'word' ? t('adminWordPolicy.ruleForm.wordHelp') : t('adminWordPolicy.ruleForm.patternHelp')}
        className={type === 'pattern' ? 'mono' : undefined}
        autoComplete="off"
        spellCheck={false}
        value={pattern}
        error={fieldError('pattern')}
        onChange={(event) => {
          setPattern(event.target.value);
          edited('pattern');
        }}
      />
      {type === 'pattern' ? (
        <SelectField
          label={t('adminWordPolicy.ruleForm.validator')}
          help={t('adminWordPolicy.ruleForm.validatorHelp')}
          value={validator}
          error={fieldError('validator')}
          onChange={(event) => {
            setValidator(patternValidatorSchema.parse(event.target.value));
            edited('validator');
          }}
        >
          {patternValidatorSchema.options.map((option) => (
            <option key={option} value={option}>
              {t(`adminWordPolicy.validators.${option}`)}
            </option>
          ))}
        </SelectField>
      ) : null}
      <TextField
        label={t('adminWordPolicy.ruleForm.category')}
        help={t('adminWordPolicy.ruleForm.categoryHelp')}
        list={listId}
        autoComplete="off"
        value={category}
        error={fieldError('category')}
        onChange={(event) => {
          setCategory(event.target.value);
          edited('category');
        }}
      />
      <datalist id={listId}>
        {categories.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <ActionChoice
        legend={t('adminWordPolicy.ruleForm.action')}
        value={action}
        onChange={(next) => {
          setAction(next);
          edited('action');
        }}
      />
      {fieldError('action') ? <p className="field__error">{fieldError('action')}</p> : null}
    </FormDialog>
  );
}
