/**
 * A start form's submit handler: the request is built from the fields (a builder throws with
 * the reason a field is wrong), the reason is shown in place of starting, or the request starts.
 */
export function submitRequest<Request>(build: () => Request, start: (request: Request) => Promise<unknown>, showError: (message: string | null) => void): (event: SubmitEvent) => Promise<void> {
  return async (event) => {
    event.preventDefault();
    showError(null);
    let request: Request;
    try {
      request = build();
    } catch (error) {
      showError((error as Error).message);
      return;
    }
    await start(request);
  };
}
