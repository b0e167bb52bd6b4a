import type { EventEmitter2 } from '@nestjs/event-emitter';
import { DepartmentGroupsService } from './department-groups.service.js';
import { DirectoryImportService } from './directory-import.service.js';
import type { DirectoryRepository } from './directory.repository.js';
import { DirectoryService, uuidOfSegment } from './directory.service.js';
import type { DirectoryActor } from './types.js';

/** A repository that fails the test if anything reaches the database. */
const untouchable = new Proxy({} as DirectoryRepository, {
  get(_t, prop) {
    throw new Error(`repository.${String(prop)} used before the access check`);
  },
});
const events = { emit: jest.fn() } as unknown as EventEmitter2;
const member: DirectoryActor = { userId: '00000000-0000-4000-8000-000000000001', role: 'member' };
const auditor: DirectoryActor = { ...member, role: 'auditor' };
const id = '00000000-0000-4000-8000-000000000002';

describe('directory services: access checks come first', () => {
  const directory = new DirectoryService(untouchable, events);
  const groups = new DepartmentGroupsService(untouchable, events);
  const importer = new DirectoryImportService(untouchable, events);

  it.each([member, auditor])(
    'refuses every admin operation to a $role without touching the database',
    async (actor) => {
      const calls: Array<() => Promise<unknown>> = [
        () => directory.createDepartment(actor, { name: 'x', parentId: null }),
        () => directory.updateDepartment(actor, id, { name: 'x' }),
        () => directory.moveDepartment(actor, id, { parentId: null }),
        () => directory.reorderDepartments(actor, { parentId: null, orderedIds: [id] }),
        () => directory.deleteDepartment(actor, id),
        () => directory.setMembership(actor, id, id, {}),
        () => directory.removeMembership(actor, id, id),
        () => directory.transferPerson(actor, id, { fromDepartmentId: id, toDepartmentId: id }),
        () => directory.setManager(actor, id, null),
        () => directory.getSettings(actor),
        () => directory.updateSettings(actor, { showContactInfo: false }),
        () => groups.create(actor, { departmentId: id, includeSubdepartments: false }),
        () => groups.list(actor, false),
        () => groups.members(actor, id),
        () => groups.archive(actor, id),
        () => groups.addMemberManually(actor, id, id),
        () => importer.importFile(actor, 'csv', Buffer.from('kind\n'), true),
        () => importer.exportFile(actor, 'csv'),
      ];
      for (const call of calls) await expect(call()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(events.emit).not.toHaveBeenCalled();
    },
  );

  it('turns path segments back into UUIDs', () => {
    expect(uuidOfSegment('0123456789abcdef0123456789abcdef')).toBe('01234567-89ab-cdef-0123-456789abcdef');
  });
});
