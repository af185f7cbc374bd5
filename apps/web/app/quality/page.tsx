import { QualityLab } from "./_components/QualityLab";

export default function QualityPage() {
  return <QualityLab />;
}
