import { CompareViewer } from "../_components/CompareViewer";

export default async function CompareRunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CompareViewer id={id} />;
}
