import type { MessagingSettings, UserDto, WatermarkField } from '@miyu/protocol';

/**
 * The watermark line for the viewer, from the fields the org chose; null when the watermark is off. Until the
 * settings load, the default (name and employee number) is shown rather than nothing.
 */
export function watermarkText(
  user: Pick<UserDto, 'displayName' | 'employeeNo' | 'login'>,
  settings: Pick<MessagingSettings, 'watermarkEnabled' | 'watermarkFields'> | undefined,
  today = new Date(),
): string | null {
  if (settings && !settings.watermarkEnabled) return null;
  const fields: WatermarkField[] = settings?.watermarkFields ?? ['name', 'employeeNo'];
  const value = (field: WatermarkField): string | null => {
    switch (field) {
      case 'name':
        return user.displayName;
      case 'employeeNo':
        return user.employeeNo;
      case 'login':
        return user.login;
      case 'date':
        return `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    }
  };
  const text = fields.map(value).filter(Boolean).join(' ');
  return text || null;
}
