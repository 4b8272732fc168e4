// Trucks: the fleet's state, dispatches and deliveries, and a map-like view (longitude × latitude) of the
// depots, the stores and the trucks on the move.
import { getOptional, type FleetState, type TruckState } from "../api.js";
import { figure, fmt, h, table } from "../dom.js";
import { chartBox, panel, type PageDefinition } from "../page.js";

const STATE_LABELS: Record<TruckState["state"], string> = { idle: "idle at depot", to_store: "to store", returning: "returning" };

export const trucksPage: PageDefinition = {
  id: "trucks",
  title: "Trucks",
  pollMs: 2000,
  mount(root, scope) {
    const overview = panel("Fleet", { wide: true });
    const figures = {
      dispatched: figure("Dispatched", "trucks.dispatched"),
      arrived: figure("Arrived", "trucks.arrived"),
      delivered: figure("Units delivered", "trucks.delivered_units"),
      moving: figure("On the road", "trucks.moving"),
      idle: figure("Idle", "trucks.idle"),
    };
    const mapBox = chartBox("chart map");
    overview.body.append(h("div", { class: "figures" }, ...Object.values(figures).map((f) => f.root)), mapBox);
    const map = scope.chart(mapBox);
    const fleet = panel("Fleet state");
    const recent = panel("Recent dispatches and deliveries");
    root.append(overview.root, fleet.root, recent.root);

    return {
      async refresh() {
        let view: FleetState | undefined;
        await overview.load(async () => {
          view = await getOptional<FleetState>("trucks", "/v1/trucks");
          const moving = view.trucks.filter((truck) => truck.state !== "idle");
          figures.dispatched.set(fmt.int(view.totals.dispatched));
          figures.arrived.set(fmt.int(view.totals.arrived));
          figures.delivered.set(fmt.int(view.totals.delivered_units));
          figures.moving.set(fmt.int(moving.length));
          figures.idle.set(fmt.int(view.trucks.length - moving.length));
          const storeById = new Map(view.stores.map((store) => [store.store_id, store]));
          const trucksIn = (state: TruckState["state"]) => view!.trucks.filter((truck) => truck.state === state).map((truck) => ({ value: [truck.lon, truck.lat], name: truck.truck_id, truck }));
          map.set({
            grid: { left: 24, right: 16, top: 40, bottom: 24, containLabel: true },
            legend: { top: 0 },
            tooltip: {
              trigger: "item",
              formatter: (params: { seriesName: string; name: string; data: { truck?: TruckState } }) => {
                const truck = params.data.truck;
                if (!truck) return `${params.seriesName}: ${params.name}`;
                const to = truck.store_id ? ` → ${storeById.get(truck.store_id)?.name ?? truck.store_id}` : "";
                return `${truck.truck_id} (${STATE_LABELS[truck.state]}${to})<br>${truck.load_units} units${truck.eta ? `, ETA ${fmt.time(truck.eta)} UTC` : ""}`;
              },
            },
            xAxis: { type: "value", name: "longitude", nameLocation: "middle", nameGap: 26, scale: true, splitLine: { lineStyle: { color: "#eef0f4" } } },
            yAxis: { type: "value", name: "latitude", nameLocation: "middle", nameGap: 34, scale: true, splitLine: { lineStyle: { color: "#eef0f4" } } },
            series: [
              { name: "Depots", type: "scatter", symbol: "rect", symbolSize: 14, data: view.depots.map((depot) => ({ value: [depot.lon, depot.lat], name: depot.name })) },
              { name: "Stores", type: "scatter", symbolSize: 8, data: view.stores.map((store) => ({ value: [store.lon, store.lat], name: store.name })) },
              { name: "To store", type: "scatter", symbol: "triangle", symbolSize: 13, data: trucksIn("to_store") },
              { name: "Returning", type: "scatter", symbol: "diamond", symbolSize: 12, data: trucksIn("returning") },
            ],
          });
        });
        await fleet.load(async () => {
          if (!view) throw new Error("no fleet view");
          fleet.body.replaceChildren(
            table(
              [
                { label: "Truck", value: (truck) => truck.truck_id },
                { label: "Depot", value: (truck) => truck.depot_id },
                { label: "State", value: (truck) => h("span", { class: "badge" }, STATE_LABELS[truck.state]) },
                { label: "Store", value: (truck) => truck.store_id ?? "" },
                { label: "Load", value: (truck) => fmt.int(truck.load_units), numeric: true },
                { label: "ETA (UTC)", value: (truck) => fmt.time(truck.eta) },
              ],
              view.trucks,
              { empty: "no trucks", rowAttrs: (truck) => ({ "data-truck": truck.truck_id }) },
            ),
          );
        });
        await recent.load(async () => {
          if (!view) throw new Error("no fleet view");
          recent.body.replaceChildren(
            table(
              [
                { label: "At (UTC)", value: (event) => fmt.time(event.at) },
                { label: "Event", value: (event) => event.type.replaceAll("_", " ") },
                { label: "Truck", value: (event) => event.truck_id },
                { label: "Store", value: (event) => event.store_id },
                { label: "Units", value: (event) => fmt.int(event.units), numeric: true },
              ],
              view.recent,
              { empty: "no dispatches yet: run store planning on the Inventory page" },
            ),
          );
        });
      },
    };
  },
};
