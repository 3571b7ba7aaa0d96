// The OWL API's OWL 2 DL profile check of one ontology document: prints each violation on a
// line of its own, then "violations: N". Run as a single-file program (java 11+):
//   java -cp "/usr/share/java/*" ProfileCheck.java ontology.ttl
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            System.out.println("violation: " + violation.toString().replace('\n', ' '));
        }
        System.out.println("violations: " + report.getViolations().size());
        System.out.println("axioms: " + ontology.getAxiomCount());
    }
}
