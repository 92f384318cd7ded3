/* The planner's shared state and namespace: main.js (grids, selection), edit.js (vertex
 * editing, undo), panel.js (preview and commit) and tools.js (split, merge, history,
 * partition) each add their functions to P; S is the page's state. */
export const S = {grids: {}, order: [], selected: null, undo: [], redo: [], touched: {}, drag: null,
                  mode: "edit", locked: false, picked: [], mean: 0};
export const P = {state: S};
