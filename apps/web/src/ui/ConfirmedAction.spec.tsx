import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider, useMutation } from '@tanstack/react-query';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../i18n';
import { Button } from './Button';
import { ConfirmedActionDialog } from './ConfirmedActionDialog';
import { DataTable } from './DataTable';
import { useConfirmedAction } from './useConfirmedAction';

interface Item {
  id: string;
  name: string;
}

const ITEMS: Item[] = [
  { id: 'a', name: 'Alpha' },
  { id: 'b', name: 'Beta' },
];

/** A deferred outcome per call, settled by the test. */
class Calls {
  readonly ids: string[] = [];
  private settle: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  run = (id: string) =>
    new Promise<string>((resolve, reject) => {
      this.ids.push(id);
      this.settle.push({ resolve, reject });
    });
  resolve(value: string) {
    this.settle.shift()?.resolve(value);
  }
  reject(error: Error) {
    this.settle.shift()?.reject(error);
  }
}

function List({ items, calls, onDone }: { items: Item[]; calls: Calls; onDone: (v: string) => void }) {
  const remove = useMutation({ mutationFn: calls.run });
  const removing = useConfirmedAction<Item, string>(remove, onDone);
  return (
    <>
      {remove.error ? <p role="alert">{remove.error.message}</p> : null}
      <DataTable
        caption="Things"
        columns={['Name', 'Id']}
        actions="Actions"
        rows={items}
        empty="Nothing here"
        renderRow={(item) => (
          <tr key={item.id}>
            <th scope="row">{item.name}</th>
            <td>{item.id}</td>
            <td className="table__actions">
              <Button size="sm" variant="danger" aria-label={`Remove ${item.name}`} onClick={() => removing.ask(item)}>
                Remove
              </Button>
            </td>
          </tr>
        )}
      />
      <ConfirmedActionDialog
        action={removing}
        title={(item) => `Remove ${item.name}?`}
        body={(item) => `${item.name} goes for good.`}
        confirmLabel="Remove it"
      />
    </>
  );
}

function renderList(items: Item[], calls = new Calls(), onDone = jest.fn()) {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  const view = render(
    <I18nextProvider i18n={createI18n('en')}>
      <QueryClientProvider client={client}>
        <List items={items} calls={calls} onDone={onDone} />
      </QueryClientProvider>
    </I18nextProvider>,
  );
  return { ...view, calls, onDone };
}

describe('DataTable', () => {
  it('names the table by its hidden caption and scopes the column and actions headers', () => {
    const { container } = renderList(ITEMS);
    const table = screen.getByRole('table', { name: 'Things' });
    expect(container.querySelector('.table-wrap > table.table > caption.visually-hidden')).toHaveTextContent('Things');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((th) => th.textContent)).toEqual(['Name', 'Id', 'Actions']);
    headers.forEach((th) => expect(th).toHaveAttribute('scope', 'col'));
    expect(headers[2]).toHaveClass('table__actions-head');
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map((th) => th.textContent),
    ).toEqual(['Alpha', 'Beta']);
    expect(screen.queryByText('Nothing here')).not.toBeInTheDocument();
  });

  it('shows the empty text instead of a table when there are no rows, and nothing without one', () => {
    const { container } = renderList([]);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(container.querySelector('p.empty')).toHaveTextContent('Nothing here');

    const bare = render(<DataTable caption="None" columns={['A']} rows={[]} renderRow={() => null} />);
    expect(bare.container).toBeEmptyDOMElement();
  });

  it('adds extra table classes and leaves out the actions column when none is given', () => {
    const { container } = render(
      <DataTable
        caption="Plain"
        className="audit-table"
        columns={['A']}
        rows={['x']}
        renderRow={(row) => (
          <tr key={row}>
            <td>{row}</td>
          </tr>
        )}
      />,
    );
    expect(container.querySelector('table')).toHaveClass('table', 'audit-table');
    expect(container.querySelector('.table__actions-head')).toBeNull();
  });
});

describe('useConfirmedAction with ConfirmedActionDialog', () => {
  it('runs nothing until confirmed, and cancelling closes the dialog', () => {
    const { calls } = renderList(ITEMS);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Beta' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Beta?' });
    expect(dialog).toHaveTextContent('Beta goes for good.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.ids).toEqual([]);
  });

  it('runs the mutation on the confirmed item, is busy until it settles, then closes and reports success', async () => {
    const { calls, onDone } = renderList(ITEMS);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Alpha' }));
    const confirm = within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove it' });
    fireEvent.click(confirm);
    await waitFor(() => expect(calls.ids).toEqual(['a']));
    await waitFor(() => expect(confirm).toBeDisabled());
    await act(async () => calls.resolve('done'));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(onDone).toHaveBeenCalledWith('done');
  });

  it('closes on failure too, keeps the error until the next ask, which clears it', async () => {
    const { calls, onDone } = renderList(ITEMS);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Alpha' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove it' }));
    await waitFor(() => expect(calls.ids).toEqual(['a']));
    await act(async () => calls.reject(new Error('refused')));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByRole('alert')).toHaveTextContent('refused');
    expect(onDone).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Remove Beta' }));
    await waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument());
    expect(screen.getByRole('dialog', { name: 'Remove Beta?' })).toBeInTheDocument();
  });
});
