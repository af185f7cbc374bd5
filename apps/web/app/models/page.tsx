import { CatalogTable } from "./_components/CatalogTable";
import { DownloadsList } from "./_components/DownloadsList";
import { HubRepoLookup } from "./_components/HubRepoLookup";
import { LocalModels } from "./_components/LocalModels";
import { MakeQuant } from "./_components/MakeQuant";

export default function ModelsPage() {
  return (
    <div className="grid gap-6">
      <DownloadsList />
      <CatalogTable />
      <div className="grid gap-6 lg:grid-cols-2">
        <HubRepoLookup />
        <LocalModels />
      </div>
      <MakeQuant />
    </div>
  );
}
